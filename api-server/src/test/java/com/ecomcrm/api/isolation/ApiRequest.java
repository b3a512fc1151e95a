package com.ecomcrm.api.isolation;

import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/** A request to the API, before authentication: method, path, query parameters and an optional JSON body text. */
record ApiRequest(String method, String path, Map<String, String> query, String body) {
    ApiRequest {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        query = Map.copyOf(new LinkedHashMap<>(requireNonNull(query, "query is null")));
    }

    static ApiRequest get(String path) {
        return new ApiRequest("GET", path, Map.of(), null);
    }

    static ApiRequest withBody(String method, String path, JsonObject body) {
        return new ApiRequest(method, path, Map.of(), body == null ? null : body.encode());
    }

    ApiRequest withQuery(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(query);
        merged.putAll(more);
        return new ApiRequest(method, path, merged, body);
    }

    ApiRequest withBodyText(String text) {
        return new ApiRequest(method, path, query, text);
    }

    ApiRequest withPath(String otherPath) {
        return new ApiRequest(method, otherPath, query, body);
    }

    String uri() {
        if (query.isEmpty()) {
            return path;
        }
        return path + "?" + query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    /** Everything the attacker sent, to tell a leak from an echo of the attacker's own input. */
    String sentText() {
        return method + " " + path + " " + query + " " + (body == null ? "" : body);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        String shownBody = body == null ? "" : " " + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
        String uri = uri();
        return method + " " + (uri.length() > 200 ? uri.substring(0, 200) + "..." : uri) + shownBody;
    }
}
