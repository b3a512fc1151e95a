package com.ecomcrm.bench;

import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.testing.shopify.SimulatedCheckout;
import com.ecomcrm.testing.shopify.SimulatedCustomer;
import com.ecomcrm.testing.shopify.SimulatedLine;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedShops;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.WebhookPayloads;
import com.ecomcrm.testing.shopify.WebhookTimeline;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * One more day of a generated shop's activity, after its history ends, landed as the webhooks Shopify sends for it
 * (through the product's {@link LandingZone}, received during that day): new orders, about 1% of the shop's orders,
 * mostly repeat purchases of existing buyers (each a copy of one of the buyer's earlier baskets) and a few first
 * purchases of customers who sign up that day; and abandoned checkouts of about 0.5% of the customers. What the
 * steady-state nightly ingests. Deterministic from the seed and the shop.
 */
final class NextDayActivity {
    /** New orders as a share of the shop's orders. */
    static final double ORDER_SHARE = 0.01;
    private static final double NEW_CUSTOMER_SHARE = 0.002;
    private static final double CHECKOUT_SHARE = 0.005;

    private final long seed;
    private final Instant dayStart;
    private final WebhookPayloads payloads = new WebhookPayloads();

    NextDayActivity(long seed, Instant dayStart) {
        this.seed = seed;
        this.dayStart = requireNonNull(dayStart, "dayStart is null");
    }

    /** What one shop's day came to. */
    record Counts(long customers, long orders, long checkouts, long webhooks) {
        Counts plus(Counts other) {
            return new Counts(customers + other.customers, orders + other.orders, checkouts + other.checkouts,
                    webhooks + other.webhooks);
        }
    }

    /** Lands the day's webhooks of {@code store} into {@code zone}. */
    Counts land(SimulatedStore store, LandingZone zone) {
        if (store.orders().isEmpty()) {
            return new Counts(0, 0, 0, 0);
        }
        Random random = new Random(seed * 31 + store.shop().domain().hashCode());
        long nextCustomer = store.customers().stream().mapToLong(SimulatedCustomer::id).max().orElse(0) + 1;
        long nextOrder = store.orders().stream().mapToLong(SimulatedOrder::id).max().orElse(0) + 1;
        long nextLine = store.orders().stream().flatMap(o -> o.lines().stream()).mapToLong(SimulatedLine::id)
                .max().orElse(0) + 1;
        long nextCheckout = store.checkouts().stream().mapToLong(SimulatedCheckout::id).max().orElse(0) + 1;
        long nextNumber = store.orders().stream().mapToLong(SimulatedOrder::orderNumber).max().orElse(1000) + 1;
        Map<Long, SimulatedCustomer> customers = new HashMap<>();
        store.customers().forEach(c -> customers.put(c.id(), c));

        List<LandingEnvelope> webhooks = new ArrayList<>();
        int orders = Math.max(1, (int) Math.round(store.orders().size() * ORDER_SHARE));
        int newCustomers = Math.min(orders, Math.max(1, (int) Math.round(store.customers().size()
                * NEW_CUSTOMER_SHARE)));
        for (int i = 0; i < orders; i++) {
            Instant at = dayStart.plusSeconds(random.nextInt(60, 86_000));
            SimulatedOrder basket = store.orders().get(random.nextInt(store.orders().size()));
            SimulatedCustomer buyer;
            if (i < newCustomers) {
                long id = nextCustomer++;
                Instant signedUp = at.minusSeconds(60);
                buyer = new SimulatedCustomer(id, "gid://shopify/Customer/" + id, "next-day-" + id + "@"
                        + store.shop().domain(), "New", "Customer" + id, "ENABLED", signedUp, signedUp, "SUBSCRIBED",
                        "SINGLE_OPT_IN", signedUp);
                customers.put(id, buyer);
                webhooks.add(envelope(store, WebhookTimeline.CUSTOMERS_CREATE, signedUp,
                        payloads.customerCreate(buyer)));
            }
            else {
                buyer = customers.get(basket.customerId());
            }
            List<SimulatedLine> lines = new ArrayList<>();
            for (SimulatedLine line : basket.lines()) {
                long id = nextLine++;
                lines.add(new SimulatedLine(id, "gid://shopify/LineItem/" + id, line.productId(), line.variantId(),
                        line.sku(), line.title(), line.quantity(), line.unitPrice()));
            }
            BigDecimal total = lines.stream().map(SimulatedLine::lineTotal).reduce(BigDecimal.ZERO, BigDecimal::add);
            long id = nextOrder++;
            SimulatedOrder order = new SimulatedOrder(id, "gid://shopify/Order/" + id, "#" + nextNumber++,
                    buyer.id(), at, at, at, null, "PAID", basket.currency(), lines, total, BigDecimal.ZERO.setScale(2),
                    List.of(), false);
            webhooks.add(envelope(store, WebhookTimeline.ORDERS_CREATE, at, payloads.orderCreate(order, buyer)));
        }
        int checkouts = Math.max(1, (int) Math.round(store.customers().size() * CHECKOUT_SHARE));
        WebhookPayloads.ShopIdentity shop = new WebhookPayloads.ShopIdentity(store.shop().domain());
        for (int i = 0; i < checkouts; i++) {
            Instant at = dayStart.plusSeconds(random.nextInt(60, 86_000));
            SimulatedOrder basket = store.orders().get(random.nextInt(store.orders().size()));
            SimulatedCustomer customer = customers.get(basket.customerId());
            long id = nextCheckout++;
            SimulatedCheckout checkout = new SimulatedCheckout(id, UUID.nameUUIDFromBytes((store.shop().domain()
                    + "|next-day-checkout|" + id).getBytes(StandardCharsets.UTF_8)).toString().replace("-", ""),
                    customer.id(), customer.email(), at, at, null, null, basket.currency(), basket.lines(),
                    basket.totalPrice());
            webhooks.add(envelope(store, WebhookTimeline.CHECKOUTS_CREATE, at,
                    payloads.checkoutCreate(checkout, customer, shop)));
        }
        webhooks.sort(java.util.Comparator.comparing(LandingEnvelope::receivedAt));
        zone.appendWebhooks(webhooks);
        return new Counts(newCustomers, orders, checkouts, webhooks.size());
    }

    private LandingEnvelope envelope(SimulatedStore store, String topic, Instant at, byte[] body) {
        // Received a moment after it was triggered, as a delivery is.
        Instant received = at.plus(Duration.ofMillis(250));
        return LandingEnvelope.webhook(store.shop(), topic, UUID.nameUUIDFromBytes((store.shop().domain() + "|"
                        + topic + "|" + at + "|" + new String(body, StandardCharsets.UTF_8).hashCode())
                        .getBytes(StandardCharsets.UTF_8)).toString(), received, Optional.of(at),
                Optional.of(SimulatedShops.API_VERSION), new String(body, StandardCharsets.UTF_8));
    }
}
