package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.Segment;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Win-back and VIP from the nightly segment history in ClickHouse (read through the tenant-scoped gateway).
 *
 * <p>Per shop: the shop's current publication ({@code shop_publications}); of {@code segment_history_dates} the two
 * latest dates with, per date, the largest publish_id not above it (the contract's valid slice); the customers of
 * {@code customer_segment_history} in both slices whose segment changed, joined on customer_id. A customer who moved
 * from outside the win-back group into At risk, Almost lost or Dormant gets a win-back send; one who moved into
 * Champions (from any other segment) a VIP send. Customers in only one of the slices (new, deleted) do not count as
 * moving. The email is the one PostgreSQL's {@code consent} table has for the customer id (customers without one are
 * counted as {@code noEmail}); consent itself is checked at send time as for every flow.
 *
 * <p>Idempotency key {@code shop|flow|c<customer>|segment:<TO_SEGMENT>:<date>}, due now + the flow's delay; the
 * watermark ({@code segment_watermarks}, consumer {@value #CONSUMER}) keeps the latest date handled, committed in the
 * same transaction as the sends, so a re-run (or a re-publish of the same date) schedules nothing new. Only the latest
 * date is evaluated: dates published while the job did not run are not replayed (no stale win-backs). A flow that is
 * off schedules nothing for the date (switching it on is not retroactive), but the date still counts as handled.
 */
public final class SegmentTriggerEvaluator {
    public static final String CONSUMER = "segment-flows";
    public static final Set<String> WIN_BACK_SEGMENTS = Set.of(Segment.AT_RISK.key(), Segment.ALMOST_LOST.key(),
            Segment.DORMANT.key());
    public static final String VIP_SEGMENT = Segment.CHAMPIONS.key();

    private static final Logger LOG = LoggerFactory.getLogger(SegmentTriggerEvaluator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final SqlTemplate LATEST_DATES = SqlTemplate.of(
            "SELECT toString(as_of_date) AS day, max(publish_id) AS slice FROM segment_history_dates "
                    + "WHERE shop_id = {shop} AND publish_id <= {publication} "
                    + "GROUP BY as_of_date ORDER BY as_of_date DESC LIMIT 2"); // aliases unlike columns: 18.16

    private static final SqlTemplate MOVES = SqlTemplate.of(
            "SELECT customer_id, from_segment, to_segment FROM "
                    + "(SELECT customer_id, segment AS to_segment FROM customer_segment_history "
                    + "WHERE shop_id = {shop} AND as_of_date = {to_date} AND publish_id = {to_publish}) "
                    + "ALL INNER JOIN "
                    + "(SELECT customer_id, segment AS from_segment FROM customer_segment_history "
                    + "WHERE shop_id = {shop} AND as_of_date = {from_date} AND publish_id = {from_publish}) "
                    + "USING customer_id "
                    + "WHERE to_segment != from_segment AND to_segment IN ('AT_RISK', 'ALMOST_LOST', 'DORMANT', "
                    + "'CHAMPIONS') ORDER BY customer_id");

    /** What one evaluation did. */
    public record Result(int shops, int moved, int scheduled, int noEmail) {
        Result plus(Result o) {
            return new Result(shops + o.shops, moved + o.moved, scheduled + o.scheduled, noEmail + o.noEmail);
        }

        static final Result NONE = new Result(0, 0, 0, 0);
    }

    /** A customer's move between the two latest published dates. */
    public record Move(long customerId, String fromSegment, String toSegment) {
        /** The flow this move triggers, or null. */
        public FlowKind flow() {
            if (WIN_BACK_SEGMENTS.contains(toSegment) && !WIN_BACK_SEGMENTS.contains(fromSegment)) {
                return FlowKind.WIN_BACK;
            }
            if (VIP_SEGMENT.equals(toSegment) && !VIP_SEGMENT.equals(fromSegment)) {
                return FlowKind.VIP;
            }
            return null;
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ClickHouseGateway clickhouse;
    private final Clock clock;

    public SegmentTriggerEvaluator(DataSource dataSource, ClickHouseGateway clickhouse, Clock clock) {
        this.jdbc = new JdbcTemplate(requireNonNull(dataSource, "dataSource is null"));
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clickhouse = requireNonNull(clickhouse, "clickhouse is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Shops that have the win-back or VIP flow (on or off: a date is handled either way). */
    public List<ShopId> shops() {
        return jdbc.queryForList("SELECT DISTINCT shop_domain FROM flows WHERE kind IN ('win_back', 'vip') "
                + "ORDER BY shop_domain", String.class).stream().map(ShopId::of).toList();
    }

    public Result evaluateAll() {
        Result total = Result.NONE;
        for (ShopId shop : shops()) {
            try {
                total = total.plus(evaluateShop(shop));
            }
            catch (RuntimeException e) {
                // One shop's trouble (ClickHouse down for it, bad data) must not stop the others; retried next run.
                LOG.error("Segment flows for {} failed: {}", shop, e.getMessage(), e);
            }
        }
        return total;
    }

    /** The latest published date of the shop with its valid publish_id, then the date before it (0, 1 or 2). */
    List<Map.Entry<LocalDate, Long>> latestDates(ShopScope scope) {
        long publication = scope.currentPublication();
        if (publication == 0) {
            return List.of();
        }
        List<Map.Entry<LocalDate, Long>> dates = new ArrayList<>();
        for (JsonNode row : scope.select(LATEST_DATES.bind("publication", publication))) {
            dates.add(Map.entry(LocalDate.parse(row.get("day").asText()), row.get("slice").asLong()));
        }
        return dates;
    }

    public Result evaluateShop(ShopId shop) {
        ShopScope scope = clickhouse.forShop(shop);
        List<Map.Entry<LocalDate, Long>> dates = latestDates(scope);
        if (dates.size() < 2) {
            return new Result(1, 0, 0, 0); // nothing published yet, or no earlier date to move from
        }
        LocalDate toDate = dates.get(0).getKey();
        long toPublish = dates.get(0).getValue();
        LocalDate fromDate = dates.get(1).getKey();
        long fromPublish = dates.get(1).getValue();
        LocalDate handled = handledDate(shop);
        if (handled != null && !toDate.isAfter(handled)) {
            return new Result(1, 0, 0, 0);
        }
        List<Move> moves = new ArrayList<>();
        for (JsonNode row : scope.select(MOVES.bind("to_date", toDate).bind("to_publish", toPublish)
                .bind("from_date", fromDate).bind("from_publish", fromPublish))) {
            moves.add(new Move(row.get("customer_id").asLong(), row.get("from_segment").asText(),
                    row.get("to_segment").asText()));
        }
        Result result = tx.execute(status -> schedule(shop, toDate, toPublish, moves));
        LOG.info("Segment flows for {} at {} (from {}): {}", shop, toDate, fromDate, result);
        return requireNonNull(result);
    }

    private LocalDate handledDate(ShopId shop) {
        return jdbc.queryForList("SELECT as_of_date FROM segment_watermarks WHERE shop_domain = ? AND consumer = ?",
                java.sql.Date.class, shop.domain(), CONSUMER).stream().findFirst().map(Date::toLocalDate)
                .orElse(null);
    }

    private Result schedule(ShopId shop, LocalDate toDate, long toPublish, List<Move> moves) {
        jdbc.queryForList("SELECT pg_advisory_xact_lock(hashtext(?))", shop.domain() + "|" + CONSUMER);
        LocalDate handled = handledDate(shop); // again, under the lock: another run may have just done this date
        if (handled != null && !toDate.isAfter(handled)) {
            return new Result(1, 0, 0, 0);
        }
        Map<FlowKind, Flow> flows = new EnumMap<>(FlowKind.class);
        jdbc.query("SELECT * FROM flows WHERE shop_domain = ? AND enabled AND kind IN ('win_back', 'vip')",
                FlowStore.MAPPER, shop.domain()).forEach(f -> flows.put(f.kind(), f));
        List<Move> triggering = moves.stream().filter(m -> m.flow() != null && flows.containsKey(m.flow())).toList();
        Map<Long, String> emails = new HashMap<>();
        if (!triggering.isEmpty()) {
            String ids = triggering.stream().map(m -> Long.toString(m.customerId())).collect(Collectors.joining(","));
            jdbc.query("SELECT customer_id, email FROM consent WHERE shop_domain = ? AND email IS NOT NULL "
                    + "AND customer_id = ANY (string_to_array(?, ',')::bigint[])", rs -> {
                        emails.put(rs.getLong(1), rs.getString(2));
                    }, shop.domain(), ids);
        }
        int scheduled = 0;
        int noEmail = 0;
        Instant now = clock.instant();
        for (Move move : triggering) {
            String email = emails.get(move.customerId());
            if (email == null || email.isBlank()) {
                noEmail++;
                continue;
            }
            Flow flow = flows.get(move.flow());
            String trigger = "segment:" + move.toSegment() + ":" + toDate;
            String key = shop.domain() + "|" + flow.kind().key() + "|c" + move.customerId() + "|" + trigger;
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("customer", Map.of("first_name", "", "last_name", "", "email", email));
            data.put("segment", Map.of("key", move.toSegment(), "name", displayName(move.toSegment()),
                    "previous_key", move.fromSegment(), "previous_name", displayName(move.fromSegment())));
            try {
                scheduled += jdbc.update("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, "
                                + "idempotency_key, due_at, merge_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb) "
                                + "ON CONFLICT (shop_domain, idempotency_key) DO NOTHING",
                        shop.domain(), flow.id(), move.customerId(), email, trigger, key,
                        Timestamp.from(now.plus(Duration.ofMinutes(flow.delayMinutes()))),
                        JSON.writeValueAsString(data));
            }
            catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        jdbc.update("INSERT INTO segment_watermarks (shop_domain, consumer, as_of_date, publish_id) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (shop_domain, consumer) DO UPDATE SET as_of_date = EXCLUDED.as_of_date, "
                + "publish_id = EXCLUDED.publish_id, updated_at = now() "
                + "WHERE segment_watermarks.as_of_date < EXCLUDED.as_of_date",
                shop.domain(), CONSUMER, Date.valueOf(toDate), toPublish);
        return new Result(1, moves.size(), scheduled, noEmail);
    }

    private static String displayName(String key) {
        try {
            return Segment.valueOf(key).displayName();
        }
        catch (IllegalArgumentException e) {
            return key;
        }
    }
}
