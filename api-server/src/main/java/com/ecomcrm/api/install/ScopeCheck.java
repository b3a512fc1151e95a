package com.ecomcrm.api.install;

import java.util.List;

/**
 * Whether the scopes Shopify granted cover the ones the app needs: the merchant can edit the authorize URL, so the
 * answer is checked rather than trusted. A {@code write_x} scope implies {@code read_x}.
 */
public final class ScopeCheck {
    private ScopeCheck() {
    }

    public static List<String> missing(List<String> required, List<String> granted) {
        return required.stream().filter(scope -> !covered(scope, granted)).toList();
    }

    private static boolean covered(String scope, List<String> granted) {
        return granted.contains(scope)
                || scope.startsWith("read_") && granted.contains("write_" + scope.substring("read_".length()));
    }
}
