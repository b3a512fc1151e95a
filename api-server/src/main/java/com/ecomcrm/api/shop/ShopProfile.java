package com.ecomcrm.api.shop;

import com.ecomcrm.domain.ShopId;

import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What the dashboard shows of the shop itself: its domain, its name and the currency its money amounts are in (ISO
 * 4217, as Shopify's {@code currencyCode}). Name and currency are empty until ShopDetailsSync has read them from
 * Shopify (at install and at every import); a stored currency that is not three capital letters is treated as unknown,
 * so the dashboard never hands a malformed code to {@code Intl.NumberFormat}.
 */
public record ShopProfile(ShopId shop, Optional<String> name, Optional<String> currency) {
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    public ShopProfile {
        requireNonNull(shop, "shop is null");
        requireNonNull(name, "name is null");
        requireNonNull(currency, "currency is null");
        name = name.map(String::strip).filter(n -> !n.isEmpty());
        currency = currency.map(String::strip).filter(c -> CURRENCY.matcher(c).matches());
    }
}
