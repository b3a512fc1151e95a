package com.ecomcrm.bench;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.jobs.Database;
import com.ecomcrm.jobs.FlowKind;
import com.ecomcrm.jobs.FlowStore;
import com.ecomcrm.jobs.TemplateStore;
import com.ecomcrm.testing.shopify.SimulatedCustomer;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.tracking.MachineEventRule;
import com.zaxxer.hikari.HikariDataSource;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.postgresql.PGConnection;

/**
 * Two years of email history for the bench shops, written into the run's PostgreSQL the way the product leaves it
 * (the send ledger {@code sends} and the tracking events {@code email_events}, which the nightly's
 * {@code email_performance} stage reads), so that stage has real work at the benchmark's scales (issue #6
 * Benchmark). Per bulk shop, with three flows switched on, each with its own template, to the customers subscribed to
 * email marketing (the only ones the send job emails):
 *
 * <ul>
 *   <li>welcome: ten minutes after a customer joined;</li>
 *   <li>post-purchase thank-you: one email an hour after every order;</li>
 *   <li>abandoned checkout: before a share of repeat orders ({@link #RECOVERED_SHARE}) the customer left a checkout
 *   and got the reminder 4 hours later, one to three days before the order: the recovered sales;</li>
 * </ul>
 *
 * and on every email, at rates of the order of published e-commerce averages (seeded, so a scale always gives the same
 * history): a privacy-proxy open on delivery (flagged machine, as the tracking endpoint flags it) on 15%, a human open
 * on 40% (a fifth of them opened twice), a click on 25% of the opened, an unsubscribe on 0.3% and a bounce on 0.5%.
 * An abandoned-checkout reminder before a recovered order is opened, and clicked three times in four, before the
 * order. Attribution (last touch, 5-day windows) then credits the recovered orders and the orders that happen to
 * follow a touch, as it would in production.
 *
 * <p>Rows go in by COPY with ids of their own above those the sequences gave; the sequences are moved past them, so
 * the send stage that runs later in the same database inserts as usual. Not timed: a data-preparation step.
 */
final class EmailHistory implements AutoCloseable {
    static final double RECOVERED_SHARE = 0.15;
    private static final double MACHINE_OPEN = 0.15;
    private static final double HUMAN_OPEN = 0.40;
    private static final double OPENED_TWICE = 0.20;
    private static final double CLICK_OF_OPENED = 0.25;
    private static final double UNSUBSCRIBE = 0.003;
    private static final double BOUNCE = 0.005;
    private static final long ID_BASE = 1_000_000_000L;
    private static final String APPLE_PROXY_AGENT = "Mozilla/5.0";
    private static final String HUMAN_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
            + "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

    private final BenchDatabases world;
    private final Instant until;
    private final HikariDataSource pool;
    private final FlowStore flows;
    private final TemplateStore templates;
    private long nextSendId = ID_BASE;
    private long nextEventId = ID_BASE;
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private long writeNanos;

    /** @param asOf the nightly's logical date: no email or event after its end */
    EmailHistory(BenchDatabases world, LocalDate asOf) {
        this.world = requireNonNull(world, "world is null");
        this.until = asOf.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        this.pool = Database.pool(world.postgres(), null, 2);
        this.flows = new FlowStore(pool);
        this.templates = new TemplateStore(pool);
        for (String key : List.of("shops", "sends", "events", "opens", "machine_opens", "clicks", "unsubscribes",
                "bounces", "recovery_reminders")) {
            counts.put(key, 0L);
        }
    }

    /** Writes the history of one generated store. */
    void add(SimulatedStore store) throws Exception {
        long start = System.nanoTime();
        ShopId shop = store.shop();
        Map<FlowKind, Long> flowIds = new EnumMap<>(FlowKind.class);
        Map<FlowKind, Long> templateIds = new EnumMap<>(FlowKind.class);
        flows.ensureLibrary(shop);
        for (FlowKind kind : List.of(FlowKind.WELCOME, FlowKind.POST_PURCHASE_THANK_YOU,
                FlowKind.ABANDONED_CHECKOUT)) {
            long template = templates.create(shop, kind.key(), "Hello ${customer.first_name}",
                    "<html><body><p>Hi ${customer.first_name}</p><a href=\"https://" + shop.handle()
                            + ".example/\">Shop</a></body></html>", null);
            flows.configure(shop, kind, kind.defaultDelayMinutes(), null, null, template);
            flows.setEnabled(shop, kind, true);
            flowIds.put(kind, flows.find(shop, kind).orElseThrow().id());
            templateIds.put(kind, template);
        }
        Random random = new Random(Scale.SEED ^ shop.domain().hashCode());
        StringBuilder sends = new StringBuilder();
        StringBuilder events = new StringBuilder();
        // Every flow emails only customers subscribed to marketing (the send job's consent check).
        Map<Long, String> subscribed = new LinkedHashMap<>();
        for (SimulatedCustomer customer : store.customers()) {
            if ("SUBSCRIBED".equals(customer.marketingState())) {
                subscribed.put(customer.id(), customer.email());
                email(sends, events, random, shop, flowIds, templateIds, FlowKind.WELCOME, customer.id(),
                        customer.email(), "customer-" + customer.id(), customer.createdAt().plus(
                                Duration.ofMinutes(FlowKind.WELCOME.defaultDelayMinutes())), null);
            }
        }
        for (List<SimulatedOrder> orders : store.ordersByCustomer().values()) {
            if (orders.isEmpty() || !subscribed.containsKey(orders.get(0).customerId())) {
                continue;
            }
            List<SimulatedOrder> sorted = new ArrayList<>(orders);
            sorted.sort(Comparator.comparing(SimulatedOrder::createdAt));
            for (int i = 0; i < sorted.size(); i++) {
                SimulatedOrder order = sorted.get(i);
                String email = subscribed.get(order.customerId());
                if (i > 0 && random.nextDouble() < RECOVERED_SHARE) {
                    // The checkout left 1 to 3 days before the order; the reminder 4 hours after it.
                    Instant reminder = order.createdAt().minus(Duration.ofMinutes(24 * 60
                            + random.nextInt(2 * 24 * 60)));
                    email(sends, events, random, shop, flowIds, templateIds, FlowKind.ABANDONED_CHECKOUT,
                            order.customerId(), email, "checkout-" + order.id(), reminder, order.createdAt());
                    counts.merge("recovery_reminders", 1L, Long::sum);
                }
                email(sends, events, random, shop, flowIds, templateIds, FlowKind.POST_PURCHASE_THANK_YOU,
                        order.customerId(), email, "order-" + order.id(), order.createdAt().plus(
                                Duration.ofMinutes(FlowKind.POST_PURCHASE_THANK_YOU.defaultDelayMinutes())), null);
            }
        }
        try (Connection connection = world.connect()) {
            var copy = connection.unwrap(PGConnection.class).getCopyAPI();
            copy.copyIn("COPY sends (id, shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key, "
                    + "status, due_at, template_id, template_version, message_id, sent_at, created_at, updated_at) "
                    + "FROM STDIN", new StringReader(sends.toString()));
            copy.copyIn("COPY email_events (id, shop_domain, send_id, kind, url, occurred_at, event_id, method, "
                    + "user_agent, machine, machine_reason) FROM STDIN", new StringReader(events.toString()));
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT setval('sends_id_seq', greatest((SELECT max(id) FROM sends), 1)), "
                        + "setval('email_events_id_seq', greatest((SELECT max(id) FROM email_events), 1))");
            }
        }
        counts.merge("shops", 1L, Long::sum);
        writeNanos += System.nanoTime() - start;
    }

    /** What was written, for the report's notes. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>(counts);
        summary.put("seconds", Math.round(writeNanos / 1e7) / 100.0);
        summary.put("recovered_share_of_repeat_orders", RECOVERED_SHARE);
        return summary;
    }

    /** Reads back what the nightly will find, to check the COPY landed everything. */
    long sendsInDatabase() throws Exception {
        try (Connection connection = world.connect();
             PreparedStatement p = connection.prepareStatement("SELECT count(*) FROM sends WHERE id >= ?")) {
            p.setLong(1, ID_BASE);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * One SENT email at {@code sentAt} (none after the logical date) and its events; {@code orderAt}: a recovered
     * order the reminder leads to, opened (and mostly clicked) before it.
     */
    private void email(StringBuilder sends, StringBuilder events, Random random, ShopId shop,
                       Map<FlowKind, Long> flowIds, Map<FlowKind, Long> templateIds, FlowKind kind, long customerId,
                       String email, String trigger, Instant sentAt, Instant orderAt) {
        if (!sentAt.isBefore(until)) {
            return;
        }
        long id = nextSendId++;
        String key = shop.domain() + "|" + kind.key() + "|" + customerId + "|" + trigger;
        String at = sentAt.toString();
        row(sends, Long.toString(id), shop.domain(), Long.toString(flowIds.get(kind)), Long.toString(customerId),
                email, trigger, key, "SENT", at, Long.toString(templateIds.get(kind)), "1",
                "<" + id + "@bench.ecomcrm.local>", at, at, at);
        counts.merge("sends", 1L, Long::sum);
        if (random.nextDouble() < BOUNCE) {
            event(events, shop, id, "bounce", null, sentAt.plusSeconds(30), false, null);
            counts.merge("bounces", 1L, Long::sum);
            return;
        }
        if (random.nextDouble() < MACHINE_OPEN) {
            event(events, shop, id, "open", null, sentAt.plusSeconds(1 + random.nextInt(60)), true,
                    MachineEventRule.Reason.APPLE_MAIL_PRIVACY_PROTECTION.code());
            counts.merge("machine_opens", 1L, Long::sum);
        }
        boolean recovered = orderAt != null;
        Instant opened = null;
        if (recovered || random.nextDouble() < HUMAN_OPEN) {
            // Within two days, and before the recovered order if there is one.
            long window = recovered ? Math.max(60, Duration.between(sentAt, orderAt).toSeconds() - 120)
                    : Duration.ofDays(2).toSeconds();
            opened = sentAt.plusSeconds(60 + (long) (random.nextDouble() * (window - 60)));
            event(events, shop, id, "open", null, opened, false, null);
            counts.merge("opens", 1L, Long::sum);
            if (random.nextDouble() < OPENED_TWICE) {
                event(events, shop, id, "open", null, opened.plusSeconds(3_600 + random.nextInt(86_400)), false, null);
                counts.merge("opens", 1L, Long::sum);
            }
        }
        if (opened != null && random.nextDouble() < (recovered ? 0.75 : CLICK_OF_OPENED)) {
            Instant clicked = opened.plusSeconds(5 + random.nextInt(recovered ? 55 : 600));
            event(events, shop, id, "click", "https://" + shop.handle() + ".example/products/"
                    + random.nextInt(500) + "?utm_source=ecomcrm", clicked, false, null);
            counts.merge("clicks", 1L, Long::sum);
        }
        if (random.nextDouble() < UNSUBSCRIBE) {
            event(events, shop, id, "unsubscribe", null, sentAt.plusSeconds(600 + random.nextInt(86_400)), false,
                    null);
            counts.merge("unsubscribes", 1L, Long::sum);
        }
    }

    private void event(StringBuilder events, ShopId shop, long sendId, String kind, String url, Instant at,
                       boolean machine, String reason) {
        if (!at.isBefore(until)) {
            return;
        }
        long id = nextEventId++;
        row(events, Long.toString(id), shop.domain(), Long.toString(sendId), kind, url, at.toString(),
                "bench-history-" + id, kind.equals("unsubscribe") ? "POST" : "GET",
                machine ? APPLE_PROXY_AGENT : HUMAN_AGENT, machine ? "t" : "f", reason);
        counts.merge("events", 1L, Long::sum);
    }

    /** One line of COPY's text format (tab-separated, \N for null; our values hold no tab, newline or backslash). */
    private static void row(StringBuilder out, String... values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.append('\t');
            }
            out.append(values[i] == null ? "\\N" : values[i]);
        }
        out.append('\n');
    }

    @Override
    public void close() {
        pool.close();
    }
}
