package com.ecomcrm.api.shop;

import com.ecomcrm.domain.ShopId;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What the dashboard shows of the shop itself: its domain, its name, the currency its money amounts are in (ISO
 * 4217, as Shopify's {@code currencyCode}) and the time zone its times are shown in (IANA, Shopify's
 * {@code ianaTimezone}). They are empty until ShopDetailsSync has read them from Shopify (at install and at every
 * import); a stored currency that is not three capital letters, or a zone the JDK does not know, is treated as unknown,
 * so the dashboard never hands a malformed code to {@code Intl}.
 */
public record ShopProfile(ShopId shop, Optional<String> name, Optional<String> currency, Optional<ZoneId> timeZone) {
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    public ShopProfile {
        requireNonNull(shop, "shop is null");
        requireNonNull(name, "name is null");
        requireNonNull(currency, "currency is null");
        requireNonNull(timeZone, "timeZone is null");
        name = name.map(String::strip).filter(n -> !n.isEmpty());
        currency = currency.map(String::strip).filter(c -> CURRENCY.matcher(c).matches());
    }

    /** A zone from its stored IANA name; blank or unknown names (a typo, a zone newer than the JDK) give none. */
    public static Optional<ZoneId> zone(String ianaName) {
        if (ianaName == null || ianaName.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZoneId.of(ianaName.strip()));
        }
        catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
