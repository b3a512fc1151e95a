package com.ecomcrm.testing.shopify;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * The webhooks Shopify would have sent while the store's history happened, in the order they were triggered:
 * {@code customers/create} at sign-up, {@code orders/create} when an order is placed, then {@code orders/updated} and
 * {@code customers/update} when the order or customer last changed (with the store's final state),
 * {@code refunds/create} when a refund is made (its order's {@code orders/updated} then carries it too), and
 * {@code checkouts/create} / {@code checkouts/update} for every checkout (abandoned ones, and the recovered ones that
 * complete with their order). Delivering the
 * whole timeline leaves a receiver with the same data as the bulk import. Ids are deterministic from the seed:
 * {@code X-Shopify-Webhook-Id} and {@code X-Shopify-Event-Id} are UUIDs derived from (seed, shop, topic, resource,
 * time).
 */
public final class WebhookTimeline {
    public static final String CUSTOMERS_CREATE = "customers/create";
    public static final String CUSTOMERS_UPDATE = "customers/update";
    public static final String ORDERS_CREATE = "orders/create";
    public static final String ORDERS_UPDATED = "orders/updated";
    public static final String REFUNDS_CREATE = "refunds/create";
    public static final String CHECKOUTS_CREATE = "checkouts/create";
    public static final String CHECKOUTS_UPDATE = "checkouts/update";

    private WebhookTimeline() {
    }

    public static List<SimulatedWebhook> of(SimulatedStore store) {
        return of(store, new WebhookPayloads());
    }

    public static List<SimulatedWebhook> of(SimulatedStore store, WebhookPayloads payloads) {
        requireNonNull(store, "store is null");
        requireNonNull(payloads, "payloads is null");
        record Event(Instant at, int kind, long resourceId, String topic, byte[] body) {
        }
        List<Event> events = new ArrayList<>();
        Map<Long, SimulatedCustomer> customers = new HashMap<>();
        for (SimulatedCustomer c : store.customers()) {
            customers.put(c.id(), c);
            events.add(new Event(c.createdAt(), 0, c.id(), CUSTOMERS_CREATE, payloads.customerCreate(c)));
            if (c.updatedAt().isAfter(c.createdAt())) {
                events.add(new Event(c.updatedAt(), 3, c.id(), CUSTOMERS_UPDATE, payloads.customerUpdate(c)));
            }
        }
        for (SimulatedOrder o : store.orders()) {
            SimulatedCustomer customer = customers.get(o.customerId());
            events.add(new Event(o.createdAt(), 1, o.id(), ORDERS_CREATE, payloads.orderCreate(o, customer)));
            if (o.updatedAt().isAfter(o.createdAt())) {
                events.add(new Event(o.updatedAt(), 2, o.id(), ORDERS_UPDATED, payloads.orderUpdated(o, customer)));
            }
            for (SimulatedRefund refund : o.refunds()) {
                events.add(new Event(refund.createdAt(), 6, refund.id(), REFUNDS_CREATE,
                        payloads.refundCreate(refund, o)));
            }
        }
        WebhookPayloads.ShopIdentity shop = new WebhookPayloads.ShopIdentity(store.shop().domain());
        for (SimulatedCheckout c : store.checkouts()) {
            SimulatedCustomer customer = customers.get(c.customerId());
            events.add(new Event(c.createdAt(), 4, c.id(), CHECKOUTS_CREATE,
                    payloads.checkoutCreate(c, customer, shop)));
            if (c.updatedAt().isAfter(c.createdAt())) {
                // A recovered checkout completes the moment its order is placed: the update follows orders/create.
                events.add(new Event(c.updatedAt(), 5, c.id(), CHECKOUTS_UPDATE,
                        payloads.checkoutUpdate(c, customer, shop)));
            }
        }
        events.sort(Comparator.comparing(Event::at).thenComparingInt(Event::kind).thenComparingLong(Event::resourceId));
        List<SimulatedWebhook> webhooks = new ArrayList<>(events.size());
        for (Event e : events) {
            String key = store.seed() + "|" + store.shop().domain() + "|" + e.topic() + "|" + e.resourceId() + "|"
                    + e.at().getEpochSecond();
            webhooks.add(new SimulatedWebhook(store.shop(), e.topic(), uuid("webhook|" + key), uuid("event|" + key),
                    e.at(), SimulatedShops.API_VERSION, e.body()));
        }
        return webhooks;
    }

    /** A version-4-shaped UUID from the first 16 bytes of SHA-256(text). */
    static String uuid(String text) {
        ByteBuffer bytes = ByteBuffer.wrap(StoreGenerator.sha256(text));
        long high = (bytes.getLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long low = (bytes.getLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
