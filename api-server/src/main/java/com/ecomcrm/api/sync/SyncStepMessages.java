package com.ecomcrm.api.sync;

import com.ecomcrm.api.shopify.RefundLinesImport;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the merchant reads about each step of the initial import (GET /api/sync's {@code label} and {@code message}):
 * the step's name in the words of Shopify admin, and, when a step failed or waits on Shopify, what happened and what
 * happens next, without the technical error (which stays in {@code error} for support).
 */
final class SyncStepMessages {
    private static final Map<String, String> LABELS = Map.of(
            "customers", "Customers",
            "orders", "Orders",
            "checkouts", "Abandoned checkouts",
            RefundLinesImport.OBJECT_TYPE, "Refunded items");

    private SyncStepMessages() {
    }

    /** The step's name for the merchant; an unknown type keeps its own name rather than showing nothing. */
    static String label(String objectType) {
        requireNonNull(objectType, "objectType is null");
        return LABELS.getOrDefault(objectType, objectType);
    }

    /**
     * What the merchant should know about the step, if anything: why it failed, or that it is waiting for Shopify's
     * rate limit. Empty for a step that runs or completed normally.
     */
    static Optional<String> message(String objectType, String status, String error) {
        requireNonNull(objectType, "objectType is null");
        requireNonNull(status, "status is null");
        boolean throttled = error != null && error.contains("THROTTLED");
        if (RefundLinesImport.OBJECT_TYPE.equals(objectType)) {
            return refundLines(status, error, throttled);
        }
        if ("FAILED".equals(status)) {
            return Optional.of(label(objectType) + " could not be imported from Shopify. The import starts again on its "
                    + "own; if this message stays, reinstall the app from Shopify admin.");
        }
        return Optional.empty();
    }

    /**
     * The refund lines step runs after the bulk imports, one Admin API query per ten refunds: it is the step that
     * meets Shopify's rate limit, and the one whose failure leaves customers and orders imported.
     */
    private static Optional<String> refundLines(String status, String error, boolean throttled) {
        if ("FAILED".equals(status)) {
            return Optional.of((throttled
                    ? "Shopify kept limiting how fast we may read your past refunds, so reading which items were "
                    + "refunded stopped."
                    : "We could not read from Shopify which items your past refunds gave back.")
                    + " Your customers, orders and refund amounts are imported; which items were refunded is read "
                    + "again automatically the next time the import resumes.");
        }
        if ("RUNNING".equals(status) && error != null && error.startsWith(RefundLinesImport.WAITING_PREFIX)) {
            return Optional.of("Shopify limits how fast apps may read your store, so reading the items of your past "
                    + "refunds is paused for a moment. It continues on its own; nothing needs to be done.");
        }
        return Optional.empty();
    }
}
