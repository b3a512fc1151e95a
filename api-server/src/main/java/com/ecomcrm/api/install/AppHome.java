package com.ecomcrm.api.install;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the merchant lands after an install: the App Home, {@code https://{base64-decode(host)}/apps/{client_id}/}
 * (shopify-platform.md 1.3.5). {@code host} is signed, but it still becomes a redirect target, so only Shopify admin
 * hosts are accepted: {@code admin.shopify.com/store/{handle}} or {@code {shop}/admin}. Without {@code host} (a
 * non-embedded install) the shop's own admin is used.
 */
public final class AppHome {
    private static final Pattern UNIFIED_ADMIN = Pattern.compile("admin\\.shopify\\.com/store/[a-z0-9][a-z0-9-]*");

    private AppHome() {
    }

    public static String url(ShopId shop, Optional<String> host, String clientId) {
        String admin = host.map(h -> decode(shop, h)).orElse(shop.domain() + "/admin");
        return "https://" + admin + "/apps/" + clientId + "/";
    }

    static String decode(ShopId shop, String host) {
        String decoded;
        try {
            // Shopify strips the base64 padding; the basic decoder wants it back.
            String padded = host + "===".substring(0, (4 - host.length() % 4) % 4);
            decoded = new String(Base64.getDecoder().decode(padded), StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException e) {
            throw invalid("it is not base64");
        }
        if (UNIFIED_ADMIN.matcher(decoded).matches() || decoded.equals(shop.domain() + "/admin")) {
            return decoded;
        }
        throw invalid("it does not name a Shopify admin of this shop");
    }

    private static ParameterException invalid(String why) {
        return new ParameterException(ErrorCode.INVALID_INPUT, "host", "Cannot finish install: parameter host is "
                + "not valid: " + why);
    }
}
