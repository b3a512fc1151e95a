package com.ecomcrm.api.webhooks;

import static java.util.Objects.requireNonNull;

/** Why a delivery was refused: the HTTP status Shopify gets, and a message naming the header or field at fault. */
public record WebhookRejection(int status, String field, String message) {
    public WebhookRejection {
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }
}
