package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns the webhook landing log into scheduled sends. For each shop it reads every webhook file from its per-file
 * byte watermark ({@code event_watermarks}, consumer {@value #CONSUMER}) to the last complete line, orders the new
 * events by arrival, and in ONE transaction (serialised per shop by an advisory lock) records consent changes,
 * schedules sends of the shop's enabled flows with {@code INSERT ... ON CONFLICT (shop_domain, idempotency_key) DO
 * NOTHING}, cancels abandoned-checkout sends that an order made moot, and advances the watermarks. Re-reading the
 * same events therefore schedules nothing new, and a crash never loses or doubles an event.
 *
 * <p>Triggers: welcome on {@code customers/create} with email marketing consent {@code subscribed};
 * abandoned_checkout on {@code checkouts/create|update} (not completed; due created_at + delay; cancelled by an
 * {@code orders/create} of the same checkout token or customer, or a completed checkout update);
 * post_purchase_thank_you and review_request on {@code orders/create} (created_at + delay). A flow that is off when
 * its event is read schedules nothing for that event (switching it on later is not retroactive). A trigger whose due
 * time is more than {@code maxLateness} in the past is not scheduled (no blast of stale emails after a backlog).
 * Conditions: {@code min_total_price} for checkout and order flows.
 */
public final class TriggerEvaluator {
    public static final String CONSUMER = "trigger-evaluation";
    private static final Logger LOG = LoggerFactory.getLogger(TriggerEvaluator.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BYTES_PER_FILE_PER_PASS = 16 << 20;
    private static final Set<String> CONSENT_STATES = Set.of("SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED",
            "PENDING", "REDACTED", "INVALID");

    /** What one evaluation did. */
    public record Result(int shops, long events, int scheduled, int cancelled, int consentUpdates, int rejected,
                         int stale) {
        Result plus(Result o) {
            return new Result(shops + o.shops, events + o.events, scheduled + o.scheduled, cancelled + o.cancelled,
                    consentUpdates + o.consentUpdates, rejected + o.rejected, stale + o.stale);
        }

        static final Result NONE = new Result(0, 0, 0, 0, 0, 0, 0);
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final LandingLayout layout;
    private final Clock clock;
    private final Duration maxLateness;

    public TriggerEvaluator(DataSource dataSource, LandingLayout layout, Clock clock, Duration maxLateness) {
        this.jdbc = new JdbcTemplate(requireNonNull(dataSource, "dataSource is null"));
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        // Each shop pass commits on its own, also when called from inside a Spring Batch step's transaction.
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.layout = requireNonNull(layout, "layout is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.maxLateness = requireNonNull(maxLateness, "maxLateness is null");
    }

    /** Every shop that has webhook files. */
    public List<ShopId> shops() {
        Path dir = layout.sourceDirectory(LandingSource.WEBHOOK);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shop="))
                    .map(n -> ShopId.of(n.substring("shop=".length()))).sorted(Comparator.comparing(ShopId::domain))
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result evaluateAll() {
        Result total = Result.NONE;
        for (ShopId shop : shops()) {
            total = total.plus(evaluateShop(shop));
        }
        return total;
    }

    /** Evaluates everything new for one shop, in passes of at most 16 MiB per file, until caught up. */
    public Result evaluateShop(ShopId shop) {
        Result total = new Result(1, 0, 0, 0, 0, 0, 0);
        while (true) {
            Result pass = requireNonNull(tx.execute(status -> onePass(shop)));
            total = total.plus(new Result(0, pass.events, pass.scheduled, pass.cancelled, pass.consentUpdates,
                    pass.rejected, pass.stale));
            if (pass.shops == 0) {
                return total;
            }
        }
    }

    private record Event(Instant receivedAt, String topic, JsonNode body) {
    }

    /** One transaction; {@code shops} of the result is 1 when some file had more to read, else 0. */
    private Result onePass(ShopId shop) {
        jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext(?))", shop.domain() + "|" + CONSUMER);
        Map<String, Long> marks = new HashMap<>();
        jdbc.query("SELECT file, byte_offset FROM event_watermarks WHERE shop_domain = ? AND consumer = ?",
                rs -> {
                    marks.put(rs.getString(1), rs.getLong(2));
                }, shop.domain(), CONSUMER);
        Counters n = new Counters();
        List<Event> events = new ArrayList<>();
        Map<String, Long> advanced = new LinkedHashMap<>();
        boolean more = false;
        for (Path file : files(shop)) {
            String name = layout.root().relativize(file).toString();
            long from = marks.getOrDefault(name, 0L);
            long size;
            try {
                size = Files.size(file);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (size <= from) {
                continue;
            }
            byte[] bytes = read(file, from, (int) Math.min(size - from, MAX_BYTES_PER_FILE_PER_PASS));
            int end = lastNewline(bytes);
            if (end < 0) {
                continue; // only a line still being written
            }
            more |= from + end + 1 < size;
            for (String line : new String(bytes, 0, end + 1, StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    LandingEnvelope envelope = LandingEnvelope.fromJsonLine(line);
                    events.add(new Event(envelope.receivedAt(), envelope.topic(), JSON.readTree(envelope.body())));
                }
                catch (IOException | RuntimeException e) {
                    n.rejected++;
                    jdbc.update("INSERT INTO landing_rejects (shop_domain, source, topic, reason) "
                            + "VALUES (?, 'webhook', NULL, ?)", shop.domain(),
                            "trigger evaluation cannot read " + name + ": " + e.getMessage());
                }
            }
            advanced.put(name, from + end + 1);
        }
        if (advanced.isEmpty()) {
            return Result.NONE;
        }
        events.sort(Comparator.comparing(Event::receivedAt));
        Map<FlowKind, Flow> flows = new EnumMap<>(FlowKind.class);
        jdbc.query("SELECT * FROM flows WHERE shop_domain = ? AND enabled", FlowStore.MAPPER, shop.domain())
                .forEach(f -> flows.put(f.kind(), f));
        for (Event event : events) {
            apply(shop, flows, event, n);
        }
        for (var e : advanced.entrySet()) {
            jdbc.update("INSERT INTO event_watermarks (shop_domain, consumer, file, byte_offset) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (shop_domain, consumer, file) DO UPDATE SET byte_offset = "
                    + "GREATEST(event_watermarks.byte_offset, EXCLUDED.byte_offset), updated_at = now()",
                    shop.domain(), CONSUMER, e.getKey(), e.getValue());
        }
        return new Result(more ? 1 : 0, events.size(), n.scheduled, n.cancelled, n.consent, n.rejected, n.stale);
    }

    private static final class Counters {
        int scheduled;
        int cancelled;
        int consent;
        int rejected;
        int stale;
    }

    private void apply(ShopId shop, Map<FlowKind, Flow> flows, Event event, Counters n) {
        JsonNode b = event.body;
        switch (event.topic) {
            case "customers/create", "customers/update" -> {
                String state = upsertConsent(shop, b, event.receivedAt, n);
                if (event.topic.equals("customers/create") && "SUBSCRIBED".equals(state)) {
                    schedule(shop, flows.get(FlowKind.WELCOME), id(b), text(b, "email"),
                            "customer:" + b.path("id").asText(), time(b, "created_at").orElse(event.receivedAt),
                            Map.of("customer", customer(b, b)), null, n);
                }
            }
            case "checkouts/create", "checkouts/update" -> {
                JsonNode customer = b.path("customer");
                if (customer.isObject()) {
                    upsertConsent(shop, customer, event.receivedAt, n);
                }
                String token = text(b, "token");
                if (token == null) {
                    return;
                }
                if (b.hasNonNull("completed_at")) {
                    n.cancelled += cancelAbandoned(shop, token, null);
                    return;
                }
                String email = Optional.ofNullable(text(b, "email")).orElse(text(customer, "email"));
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("customer", customer(customer, b));
                data.put("checkout", Map.of("url", Optional.ofNullable(text(b, "abandoned_checkout_url")).orElse(""),
                        "total_price", Optional.ofNullable(text(b, "total_price")).orElse(""),
                        "currency", Optional.ofNullable(text(b, "currency")).orElse("")));
                data.put("recommended_products", products(b));
                schedule(shop, flows.get(FlowKind.ABANDONED_CHECKOUT), id(customer), email, "checkout:" + token,
                        time(b, "created_at").orElse(event.receivedAt), data, price(b), n);
            }
            case "orders/create" -> {
                JsonNode customer = b.path("customer");
                if (customer.isObject()) {
                    upsertConsent(shop, customer, event.receivedAt, n);
                }
                n.cancelled += cancelAbandoned(shop, text(b, "checkout_token"), id(customer));
                String email = Optional.ofNullable(text(b, "email")).orElse(text(customer, "email"));
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("customer", customer(customer, b));
                data.put("order", Map.of("name", Optional.ofNullable(text(b, "name")).orElse(""),
                        "total_price", Optional.ofNullable(text(b, "total_price")).orElse(""),
                        "currency", Optional.ofNullable(text(b, "currency")).orElse("")));
                data.put("recommended_products", products(b));
                Instant created = time(b, "created_at").orElse(event.receivedAt);
                String trigger = "order:" + b.path("id").asText();
                schedule(shop, flows.get(FlowKind.POST_PURCHASE_THANK_YOU), id(customer), email, trigger, created,
                        data, price(b), n);
                schedule(shop, flows.get(FlowKind.REVIEW_REQUEST), id(customer), email, trigger, created, data,
                        price(b), n);
            }
            default -> {
                // Other topics trigger nothing (yet).
            }
        }
    }

    private void schedule(ShopId shop, Flow flow, Long customerId, String email, String triggerKey, Instant base,
                          Map<String, Object> mergeData, BigDecimal total, Counters n) {
        if (flow == null || email == null || email.isBlank()) {
            return;
        }
        JsonNode min = flow.conditions().path("min_total_price");
        if (!min.isMissingNode() && (total == null || total.compareTo(new BigDecimal(min.asText())) < 0)) {
            return;
        }
        Instant due = base.plus(Duration.ofMinutes(flow.delayMinutes()));
        if (due.isBefore(clock.instant().minus(maxLateness))) {
            n.stale++;
            return;
        }
        String normalized = email.strip().toLowerCase(Locale.ROOT);
        String customerKey = customerId != null ? "c" + customerId : "e" + normalized;
        String key = shop.domain() + "|" + flow.kind().key() + "|" + customerKey + "|" + triggerKey;
        try {
            n.scheduled += jdbc.update("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, "
                            + "idempotency_key, due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) "
                            + "ON CONFLICT (shop_domain, idempotency_key) DO NOTHING",
                    shop.domain(), flow.id(), customerId, normalized, triggerKey, key, Timestamp.from(due),
                    JSON.writeValueAsString(mergeData));
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private int cancelAbandoned(ShopId shop, String checkoutToken, Long customerId) {
        if (checkoutToken == null && customerId == null) {
            return 0;
        }
        return jdbc.update("UPDATE sends SET status = 'CANCELLED', skip_reason = 'order_placed', updated_at = now() "
                + "WHERE shop_domain = ? AND status = 'SCHEDULED' AND flow_id IN "
                + "(SELECT id FROM flows WHERE shop_domain = ? AND kind = 'abandoned_checkout') "
                + "AND (trigger_key = ? OR customer_id = ?)", shop.domain(), shop.domain(),
                checkoutToken == null ? null : "checkout:" + checkoutToken, customerId);
    }

    /** Records the customer's email marketing consent when newer than what is stored; returns the state. */
    private String upsertConsent(ShopId shop, JsonNode customer, Instant fallbackTime, Counters n) {
        Long id = id(customer);
        String state = text(customer.path("email_marketing_consent"), "state");
        if (id == null || state == null) {
            return null;
        }
        state = state.toUpperCase(Locale.ROOT);
        if (!CONSENT_STATES.contains(state)) {
            return null;
        }
        String email = text(customer, "email");
        Instant at = time(customer, "updated_at").orElse(fallbackTime);
        n.consent += jdbc.update("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_domain, customer_id) DO UPDATE SET email = EXCLUDED.email, "
                + "marketing_state = EXCLUDED.marketing_state, updated_at = EXCLUDED.updated_at "
                + "WHERE consent.updated_at <= EXCLUDED.updated_at", shop.domain(), id,
                email == null ? null : email.strip().toLowerCase(Locale.ROOT), state, Timestamp.from(at));
        return state;
    }

    private static Map<String, Object> customer(JsonNode customer, JsonNode fallback) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("first_name", Optional.ofNullable(text(customer, "first_name")).orElse(""));
        c.put("last_name", Optional.ofNullable(text(customer, "last_name")).orElse(""));
        c.put("email", Optional.ofNullable(text(customer, "email")).orElse(
                Optional.ofNullable(text(fallback, "email")).orElse("")));
        return c;
    }

    private static List<Map<String, Object>> products(JsonNode body) {
        List<Map<String, Object>> products = new ArrayList<>();
        for (JsonNode item : body.path("line_items")) {
            if (products.size() == 6) {
                break;
            }
            products.add(Map.of("title", Optional.ofNullable(text(item, "title")).orElse(""),
                    "price", Optional.ofNullable(text(item, "price")).orElse(""),
                    "url", "", "image_url", ""));
        }
        return products;
    }

    private static BigDecimal price(JsonNode body) {
        String p = text(body, "total_price");
        try {
            return p == null ? null : new BigDecimal(p);
        }
        catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long id(JsonNode node) {
        JsonNode id = node.path("id");
        return id.canConvertToLong() ? id.asLong() : (id.isTextual() && id.asText().matches("\\d+")
                ? Long.valueOf(id.asText()) : null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static Optional<Instant> time(JsonNode node, String field) {
        String t = text(node, field);
        try {
            return t == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(t).toInstant());
        }
        catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private List<Path> files(ShopId shop) {
        Path dir = layout.shopDirectory(LandingSource.WEBHOOK, shop);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir, 2)) {
            return s.filter(p -> p.getFileName().toString().endsWith(LandingLayout.FILE_SUFFIX))
                    .filter(p -> p.getParent().getFileName().toString().startsWith("date="))
                    .sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file, long from, int length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, from + buf.position()) < 0) {
                    break;
                }
            }
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static {
        LOG.debug("trigger evaluation consumer {}", CONSUMER);
    }
}
