package com.ecomcrm.email.render;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The merge data a template sees. Only plain data crosses into a merchant's template: maps with string keys, lists,
 * strings, numbers and booleans, nothing else (no Java object whose methods a template could call).
 *
 * <p>Merge tags: {@code customer.first_name}, {@code customer.last_name}, {@code customer.email}, {@code shop.name},
 * {@code shop.domain}, {@code shop.address}, {@code unsubscribe_url}, {@code discount_code}, {@code recommended_products} (a list of
 * {@code title}, {@code url}, {@code price}, {@code image_url}), and per flow {@code checkout.url},
 * {@code checkout.total_price}, {@code order.name}, {@code order.total_price}.
 */
public final class MergeData {
    private MergeData() {
    }

    /** Checks that {@code model} holds only plain data; throws {@link IllegalArgumentException} naming the path. */
    public static void requirePlain(Object model) {
        check(model, "$");
    }

    private static void check(Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double || value instanceof BigDecimal
                || value instanceof Short || value instanceof Float) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("Merge data key at " + path + " is not a string");
                }
                check(e.getValue(), path + "." + key);
            }
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                check(list.get(i), path + "[" + i + "]");
            }
            return;
        }
        throw new IllegalArgumentException("Merge data at " + path + " is a " + value.getClass().getName()
                + "; only maps, lists, strings, numbers and booleans are allowed");
    }

    /** A merge tag the renderer provides: its FreeMarker name, what it holds, and where it is filled. */
    public record MergeTag(String name, String description) {
        public MergeTag {
            requireNonNull(name, "name is null");
            requireNonNull(description, "description is null");
        }
    }

    /**
     * Every merge tag the send job fills (SendWorker: customer, shop, unsubscribe_url, discount_code,
     * recommended_products; per flow checkout.* and order.*). {@link #sample} fills each of them, which a test checks.
     */
    public static List<MergeTag> tags() {
        return List.of(
                new MergeTag("customer.first_name", "The customer's first name (may be empty)"),
                new MergeTag("customer.last_name", "The customer's last name (may be empty)"),
                new MergeTag("customer.email", "The customer's email address"),
                new MergeTag("shop.name", "The shop's name as the sender"),
                new MergeTag("shop.domain", "The shop's myshopify.com domain"),
                new MergeTag("shop.address", "The shop's postal address from Settings, for the footer (may be empty)"),
                new MergeTag("unsubscribe_url", "The one-click unsubscribe link of this email"),
                new MergeTag("discount_code", "The flow's discount code (may be empty)"),
                new MergeTag("recommended_products", "A list of products, each with title, url, price and image_url"),
                new MergeTag("checkout.url", "Abandoned checkout: the link back to the checkout"),
                new MergeTag("checkout.total_price", "Abandoned checkout: its total"),
                new MergeTag("order.name", "Post-purchase and review request: the order's name"),
                new MergeTag("order.total_price", "Post-purchase and review request: the order's total"));
    }

    /** The value of a dotted tag name in {@code model}, or null when absent. */
    public static Object valueOf(Map<String, ?> model, String tag) {
        Object value = model;
        for (String part : tag.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(part);
        }
        return value;
    }

    /** Sample data for previews and validation, with every merge tag filled. */
    public static Map<String, Object> sample(String shopDomain) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("customer", Map.of("first_name", "Alex", "last_name", "Sample", "email", "alex@example.com"));
        model.put("shop", Map.of("name", shopDomain.substring(0, shopDomain.indexOf('.')), "domain", shopDomain,
                "address", "1 Sample Street, Springfield"));
        model.put("unsubscribe_url", "https://example.com/unsubscribe");
        model.put("discount_code", "WELCOME10");
        model.put("recommended_products", List.of(
                Map.of("title", "Linen shirt", "url", "https://" + shopDomain + "/products/linen-shirt",
                        "price", "49.00", "image_url", ""),
                Map.of("title", "Canvas tote", "url", "https://" + shopDomain + "/products/canvas-tote",
                        "price", "19.00", "image_url", "")));
        model.put("checkout", Map.of("url", "https://" + shopDomain + "/checkouts/sample", "total_price", "68.00"));
        model.put("order", Map.of("name", "#1001", "total_price", "68.00"));
        return model;
    }
}
