package com.ecomcrm.api.install;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A query string Shopify signed (install request, OAuth callback), parsed from the raw request line rather than a
 * framework's re-serialization, and the message its {@code hmac} covers (shopify-platform.md 1.3.2): every parameter
 * but {@code hmac} and {@code signature}, URL-decoded, sorted by name, joined as {@code name=value} with {@code &}.
 * A repeated parameter's values are joined with a comma first, as Shopify's JS library does.
 */
public final class SignedQuery {
    private final Map<String, List<String>> parameters;

    private SignedQuery(Map<String, List<String>> parameters) {
        this.parameters = parameters;
    }

    public static SignedQuery parse(String rawQuery) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return new SignedQuery(parameters);
    }

    /** The single value of a parameter; a repeated one counts as absent, as Shopify never repeats these. */
    public Optional<String> get(String name) {
        List<String> values = parameters.getOrDefault(name, Collections.emptyList());
        return values.size() == 1 ? Optional.of(values.get(0)) : Optional.empty();
    }

    /** What Shopify's {@code hmac} is computed over. */
    public String message() {
        Map<String, String> sorted = new TreeMap<>();
        parameters.forEach((name, values) -> {
            if (!name.equals("hmac") && !name.equals("signature")) {
                sorted.put(name, String.join(",", values));
            }
        });
        return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException e) {
            // A malformed %-escape: keep it raw, so the HMAC simply does not verify.
            return text;
        }
    }
}
