package com.ecomcrm.api.flows;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The flow library as merchants see it: name, description and default delay per kind. The kinds are those of
 * {@code flows.kind} (V4) and of the send job's {@code com.ecomcrm.jobs.FlowKind}, whose default delays these repeat
 * (the api-server does not depend on the batch jobs; a test checks the database accepts every kind).
 */
public final class FlowCatalog {
    /** One flow of the library. */
    public record Entry(String kind, String name, String description, int defaultDelayMinutes) {
        public Entry {
            requireNonNull(kind, "kind is null");
            requireNonNull(name, "name is null");
            requireNonNull(description, "description is null");
        }
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry("welcome", "Welcome", "Greets a new customer who subscribed to your emails.", 10),
            new Entry("abandoned_checkout", "Abandoned checkout",
                    "Reminds a customer of a checkout they did not complete; cancelled when they order.", 4 * 60),
            new Entry("post_purchase_thank_you", "Thank you", "Thanks a customer after an order.", 60),
            new Entry("review_request", "Review request", "Asks for a review some days after an order.",
                    14 * 24 * 60),
            new Entry("win_back", "Win-back",
                    "Reaches a customer who moved into At risk, Almost lost or Dormant in the nightly run.", 0),
            new Entry("vip", "VIP", "Thanks a customer who moved into Champions in the nightly run.", 0));

    private FlowCatalog() {
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static Optional<Entry> of(String kind) {
        return ENTRIES.stream().filter(e -> e.kind().equals(kind)).findFirst();
    }
}
