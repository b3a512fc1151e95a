package com.ecomcrm.domain;

import java.util.Locale;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The tenant key: a shop's permanent {@code *.myshopify.com} host. Every layer carries this type rather than a bare
 * string, so a query, a landing file or a render cannot be made without saying whose data it is for.
 *
 * <p>The pattern is the one Shopify's own libraries use to validate the {@code shop} parameter, so anything that
 * passes here is also safe to put in a file path and in a SQL literal.
 */
public record ShopId(String domain) {
    private static final Pattern SHOP_DOMAIN = Pattern.compile("^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$");

    public ShopId {
        requireNonNull(domain, "domain is null");
        String normalized = domain.toLowerCase(Locale.ROOT);
        if (!SHOP_DOMAIN.matcher(normalized).matches() || normalized.length() > 255) {
            throw new DomainException(ErrorCode.INVALID_SHOP, "Cannot use shop domain: '" + printable(domain)
                    + "' is not a *.myshopify.com host");
        }
        domain = normalized;
    }

    public static ShopId of(String domain) {
        return new ShopId(domain);
    }

    /** The shop's handle, the part before {@code .myshopify.com}. */
    public String handle() {
        return domain.substring(0, domain.indexOf('.'));
    }

    @Override
    public String toString() {
        return domain;
    }

    private static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
