package com.ecomcrm.bench.screens;

import static java.util.Objects.requireNonNull;

/**
 * One API call a dashboard screen makes, exactly as the browser sends it.
 *
 * @param endpoint the route it hits ({@code GET /api/customers/{id}}), the key of the per-endpoint figures
 * @param method   GET or POST
 * @param path     path and query, as the screen's code builds them
 * @param jsonBody the JSON body of a POST; null for a GET
 * @param queryToken whether the session token travels as {@code id_token} in the query (a download link, which the
 *                   browser opens as a navigation and so cannot give an Authorization header) instead of the header
 * @param notFoundIsAnAnswer whether the screen shows a 404 as an answer (a customer no email was sent to: "No email
 *                   sent to this customer yet") rather than as an error
 */
public record ScreenRequest(String endpoint, String method, String path, String jsonBody, boolean queryToken,
                            boolean notFoundIsAnAnswer) {
    public ScreenRequest {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        if (!path.startsWith("/api/")) {
            throw new IllegalArgumentException("Cannot plan request to " + path + ": dashboard data comes from /api/");
        }
        if (method.equals("GET") != (jsonBody == null)) {
            throw new IllegalArgumentException("Cannot plan " + method + " " + path + ": a GET has no body, a POST has one");
        }
    }

    public static ScreenRequest get(String endpoint, String path) {
        return new ScreenRequest(endpoint, "GET", path, null, false, false);
    }

    /** A GET whose 404 the screen shows as "nothing yet" rather than as an error. */
    public static ScreenRequest getOrNotFound(String endpoint, String path) {
        return new ScreenRequest(endpoint, "GET", path, null, false, true);
    }

    public static ScreenRequest download(String endpoint, String path) {
        return new ScreenRequest(endpoint, "GET", path, null, true, false);
    }

    public static ScreenRequest post(String endpoint, String path, String jsonBody) {
        return new ScreenRequest(endpoint, "POST", path, requireNonNull(jsonBody, "jsonBody is null"), false, false);
    }
}
