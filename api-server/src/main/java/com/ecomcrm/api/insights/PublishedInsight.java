package com.ecomcrm.api.insights;

import io.vertx.core.json.JsonObject;

import static java.util.Objects.requireNonNull;

/** One insight of the shop's current publication, as the nightly pipeline wrote it; numbers is a JSON object. */
record PublishedInsight(String id, String kind, String severity, int rank, String title, String body,
                        String numbers, String actionLabel, String actionPath) {
    PublishedInsight {
        requireNonNull(id, "id is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(title, "title is null");
        requireNonNull(body, "body is null");
        requireNonNull(numbers, "numbers is null");
        requireNonNull(actionLabel, "actionLabel is null");
        requireNonNull(actionPath, "actionPath is null");
    }

    /** The contract's shape, with the merchant's state of it (NEW, DISMISSED or DONE). */
    JsonObject toJson(String state) {
        return new JsonObject()
                .put("id", id)
                .put("kind", kind)
                .put("severity", severity)
                .put("rank", rank)
                .put("title", title)
                .put("body", body)
                .put("numbers", new JsonObject(numbers))
                .put("action", new JsonObject().put("label", actionLabel).put("path", actionPath))
                .put("state", state);
    }
}
