package com.ecomcrm.api.app;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;

import java.util.Optional;

/**
 * The {@code Content-Security-Policy} of the dashboard's pages. Shopify admin frames the app, and requires the app to
 * allow exactly the shop's own admin and {@code admin.shopify.com} as frame ancestors; everybody else must not be able
 * to frame it (clickjacking). The shop comes from the {@code shop} query parameter Shopify adds to the app URL: it is
 * only used once it passes {@link ShopId}'s {@code *.myshopify.com} check, so nothing else lands in the header.
 */
public final class FrameAncestors {
    static final String HEADER = "Content-Security-Policy";

    private FrameAncestors() {
    }

    /** The policy for a page opened with this {@code shop} parameter (absent or invalid: nobody may frame it). */
    public static String policy(Optional<String> shopParameter) {
        return shop(shopParameter)
                .map(shop -> "frame-ancestors https://" + shop.domain() + " https://admin.shopify.com;")
                .orElse("frame-ancestors 'none';");
    }

    static Optional<ShopId> shop(Optional<String> shopParameter) {
        try {
            return shopParameter.filter(s -> !s.isBlank()).map(ShopId::of);
        }
        catch (DomainException e) {
            return Optional.empty();
        }
    }
}
