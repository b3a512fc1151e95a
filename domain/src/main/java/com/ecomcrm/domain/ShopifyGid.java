package com.ecomcrm.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A Shopify global id such as {@code gid://shopify/Order/450789469}: the resource type and its numeric id.
 * The GraphQL API (and so bulk results) speaks in these; webhooks carry the bare number.
 */
public record ShopifyGid(String type, long id) {
    private static final Pattern GID = Pattern.compile("gid://shopify/([A-Za-z]+)/([0-9]{1,18})(\\?.*)?");

    public ShopifyGid {
        requireNonNull(type, "type is null");
        if (id <= 0) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot make a Shopify id: " + id + " is not positive");
        }
    }

    public static ShopifyGid parse(String value) {
        if (value == null) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot read Shopify id: it is missing");
        }
        Matcher matcher = GID.matcher(value);
        if (!matcher.matches()) {
            String shown = value.length() > 60 ? value.substring(0, 60) + "..." : value;
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot read Shopify id: '" + shown + "' is not a gid://shopify/<Type>/<number>");
        }
        return new ShopifyGid(matcher.group(1), Long.parseLong(matcher.group(2)));
    }

    @Override
    public String toString() {
        return "gid://shopify/" + type + "/" + id;
    }
}
