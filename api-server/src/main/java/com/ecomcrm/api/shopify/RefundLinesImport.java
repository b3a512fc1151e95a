package com.ecomcrm.api.shopify;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.domain.ShopifyGid;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.landing.RestRefundBody;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The refund lines of the refunds that the bulk orders files brought. A bulk query returns each order's refunds inline
 * (ids, times, amounts) but cannot return which line items they gave back: {@code refundLineItems} is a connection
 * inside the list field {@code Order.refunds}, which Shopify refuses in a bulk query. So after a bulk orders import,
 * this step asks the Admin GraphQL API for them, {@value RefundLineQueries#REFUNDS_PER_QUERY} refunds per
 * {@code nodes(ids:)} query (further lines of a long refund paged by cursor), paced by the client to Shopify's
 * cost-based rate limit, and lands every refund as the {@code refunds/create} body the webhook would have carried
 * ({@link RestRefundBody}, landing source {@code admin_api}), so the ingest reads it as that webhook and a later
 * webhook about the same refund is the same row.
 *
 * <p>Resumable: each refund done is recorded in {@code refund_line_fetches} after its lines are durably landed, and a
 * run skips the recorded ones. A crash between landing a batch and recording it lands that batch once more after the
 * restart, which the ingest's deduplication by (refund, line item) absorbs; nothing recorded is fetched again. The step
 * for one orders file is a {@code bulk_syncs} row ({@code object_type = 'refund_lines'}, same kind as the orders
 * import, {@code landed_file} the orders file), whose progress GET /api/sync reports.
 *
 * <p>Tenant isolation: the refund ids come only from the shop's own landed files (each line's envelope must name the
 * shop), the client only holds the shop's token and domain, and an answer is landed only if Shopify returned the very
 * refund asked for, belonging to the order the bulk file named; anything else (null for an id Shopify does not know in
 * this shop) is recorded as not found and nothing is landed.
 */
public final class RefundLinesImport {
    /** The {@code bulk_syncs.object_type} of this step. */
    public static final String OBJECT_TYPE = "refund_lines";
    /** The topic whose body shape the landed records have. */
    public static final String TOPIC = "refunds/create";

    private static final Logger LOG = LoggerFactory.getLogger(RefundLinesImport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A wait for Shopify's rate limit at least this long is written to the step's row ({@code error} while
     * {@code RUNNING}, cleared by the next progress), so GET /api/sync can tell the merchant why the step is not moving.
     */
    static final Duration NOTEWORTHY_WAIT = Duration.ofMillis(250);
    /** How a rate-limit wait starts in the step's {@code error} while it runs (GET /api/sync recognises it). */
    public static final String WAITING_PREFIX = "THROTTLED: ";

    /** Called after each batch's lines are landed and before they are recorded; a test's way to stop mid-way. */
    @FunctionalInterface
    public interface BatchListener {
        BatchListener NONE = (shop, landedRefunds) -> {
        };

        void landed(ShopId shop, List<Long> landedRefunds);
    }

    /**
     * What one call did: steps (orders files) completed, refunds asked for, refund lines landed, refunds not landed
     * (Shopify did not return them for this shop, or for another order).
     */
    public record Result(int stepsCompleted, int refundsFetched, long linesLanded, int notLanded) {
    }

    private final AdminApiClient shopify;
    private final LandingZone landingZone;
    private final Supplier<Connection> postgres;
    private final Clock clock;
    private final BatchListener listener;

    public RefundLinesImport(AdminApiClient shopify, LandingZone landingZone, Supplier<Connection> postgres,
                             Clock clock) {
        this(shopify, landingZone, postgres, clock, BatchListener.NONE);
    }

    public RefundLinesImport(AdminApiClient shopify, LandingZone landingZone, Supplier<Connection> postgres,
                             Clock clock, BatchListener listener) {
        this.shopify = requireNonNull(shopify, "shopify is null");
        this.landingZone = requireNonNull(landingZone, "landingZone is null");
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** A completed bulk orders import and the file it landed. */
    private record OrdersFile(long syncId, String kind, Path file) {
    }

    /**
     * Fetches and lands the refund lines of every refund in the shop's completed bulk orders files whose step has not
     * completed, oldest file first. A no-op when there is none.
     *
     * @return what was fetched
     */
    public Result fetchPending(ShopId shop) {
        requireNonNull(shop, "shop is null");
        int steps = 0;
        int fetched = 0;
        long lines = 0;
        int notFound = 0;
        for (OrdersFile orders : pendingOrdersFiles(shop)) {
            long stepId = openStep(shop, orders);
            try {
                Result result = fetchFile(shop, orders, stepId);
                fetched += result.refundsFetched();
                lines += result.linesLanded();
                notFound += result.notLanded();
                finishStep(stepId);
                steps++;
            }
            catch (RuntimeException e) {
                if (interrupted(e)) {
                    LOG.info("The refund lines import of {} was interrupted; it resumes at the next start", shop);
                    throw e;
                }
                failStep(stepId, e.getMessage());
                throw e;
            }
        }
        return new Result(steps, fetched, lines, notFound);
    }

    private Result fetchFile(ShopId shop, OrdersFile orders, long stepId) {
        Map<Long, Long> refunds = refundsIn(shop, orders.file());
        Set<Long> done = doneRefunds(shop, refunds.keySet());
        List<Long> pending = refunds.keySet().stream().filter(id -> !done.contains(id)).toList();
        recordProgress(stepId, refunds.size(), refunds.size() - pending.size());
        LOG.info("Refund lines of {}: {} refunds in {}, {} already fetched", shop, refunds.size(), orders.file(),
                done.size());
        int fetched = 0;
        long lines = 0;
        int notFound = 0;
        for (int from = 0; from < pending.size(); from += RefundLineQueries.REFUNDS_PER_QUERY) {
            List<Long> batch = pending.subList(from, Math.min(pending.size(), from + RefundLineQueries.REFUNDS_PER_QUERY));
            Batch answered = shopify.reportingWaits((wait, refused) -> noteWaiting(stepId, wait, refused),
                    () -> fetchBatch(shop, batch, refunds));
            if (!answered.envelopes().isEmpty()) {
                landingZone.appendAdminApi(answered.envelopes());
            }
            listener.landed(shop, answered.landed().keySet().stream().toList());
            record(shop, stepId, batch, refunds, answered);
            fetched += batch.size();
            lines += answered.lines();
            notFound += answered.outcomes().values().stream().filter(o -> !o.equals("landed")).count();
        }
        return new Result(1, fetched, lines, notFound);
    }

    /** One query's answers: envelopes to land, each refund's outcome and lines landed. */
    private record Batch(List<LandingEnvelope> envelopes, Map<Long, String> outcomes, Map<Long, Integer> landed,
                         long lines) {
    }

    private Batch fetchBatch(ShopId shop, List<Long> batch, Map<Long, Long> orderOf) {
        ObjectNode variables = JSON.createObjectNode();
        ArrayNode ids = variables.putArray("ids");
        batch.forEach(id -> ids.add(new ShopifyGid("Refund", id).toString()));
        JsonNode nodes = shopify.graphql(RefundLineQueries.REFUNDS, variables).path("nodes");
        if (!nodes.isArray() || nodes.size() != batch.size()) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot read the refunds of " + shop + ": Shopify answered "
                    + nodes.size() + " nodes for " + batch.size() + " ids");
        }
        List<LandingEnvelope> envelopes = new ArrayList<>();
        Map<Long, String> outcomes = new TreeMap<>();
        Map<Long, Integer> landed = new TreeMap<>();
        long lines = 0;
        Instant now = clock.instant();
        for (int i = 0; i < batch.size(); i++) {
            long refundId = batch.get(i);
            JsonNode refund = nodes.get(i);
            String asked = new ShopifyGid("Refund", refundId).toString();
            if (refund == null || refund.isNull() || !asked.equals(refund.path("id").asText())) {
                // Shopify does not know this id in this shop (deleted, or never this shop's): nothing to land.
                outcomes.put(refundId, "not_found");
                continue;
            }
            long orderId = ShopifyGid.parse(refund.path("order").path("id").asText()).id();
            if (orderId != orderOf.get(refundId)) {
                LOG.warn("Refund {} of {} belongs to order {}, not {} as the bulk file said; not landed", refundId,
                        shop, orderId, orderOf.get(refundId));
                outcomes.put(refundId, "order_mismatch");
                continue;
            }
            List<JsonNode> refundLines = allLines(shop, asked, refund.path("refundLineItems"));
            envelopes.add(LandingEnvelope.adminApi(shop, TOPIC, asked, now, Optional.empty(),
                    RestRefundBody.of(refund, refundLines)));
            outcomes.put(refundId, "landed");
            landed.put(refundId, refundLines.size());
            lines += refundLines.size();
        }
        return new Batch(envelopes, outcomes, landed, lines);
    }

    /** The refund's lines: those that came with it, then the further pages, {@code after} the last cursor. */
    private List<JsonNode> allLines(ShopId shop, String refundGid, JsonNode connection) {
        List<JsonNode> lines = new ArrayList<>();
        connection.path("nodes").forEach(lines::add);
        JsonNode page = connection.path("pageInfo");
        while (page.path("hasNextPage").asBoolean(false)) {
            ObjectNode variables = JSON.createObjectNode().put("id", refundGid)
                    .put("after", page.path("endCursor").asText());
            JsonNode node = shopify.graphql(RefundLineQueries.MORE_LINES, variables).path("node");
            if (!refundGid.equals(node.path("id").asText())) {
                throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot page the lines of " + refundGid + " for "
                        + shop + ": Shopify answered " + node.path("id").asText("null"));
            }
            node.path("refundLineItems").path("nodes").forEach(lines::add);
            page = node.path("refundLineItems").path("pageInfo");
        }
        return lines;
    }

    /**
     * The refunds an orders bulk file names, by refund id, with the order each belongs to. Every line's envelope must
     * be this shop's: a file that is not is refused rather than read.
     */
    static Map<Long, Long> refundsIn(ShopId shop, Path file) {
        Map<Long, Long> refunds = new TreeMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || !line.contains("gid://shopify/Refund/")) {
                    continue;
                }
                LandingEnvelope envelope = LandingEnvelope.fromJsonLine(line);
                if (!envelope.shop().equals(shop)) {
                    throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot read refunds for " + shop + " from "
                            + file + ": it holds lines of " + envelope.shop());
                }
                JsonNode order = JSON.readTree(envelope.body());
                ShopifyGid orderId = ShopifyGid.parse(order.path("id").asText());
                if (!orderId.type().equals("Order")) {
                    continue;
                }
                for (JsonNode refund : order.path("refunds")) {
                    ShopifyGid refundId = ShopifyGid.parse(refund.path("id").asText());
                    if (refundId.type().equals("Refund")) {
                        refunds.put(refundId.id(), orderId.id());
                    }
                }
            }
        }
        catch (IOException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot read the orders file " + file + " of " + shop
                    + ": " + e.getMessage(), e);
        }
        return refunds;
    }

    // ---------------------------------------------------------------- PostgreSQL: steps and progress

    /** Completed bulk orders imports whose refund lines step has not completed, oldest first. */
    private List<OrdersFile> pendingOrdersFiles(ShopId shop) {
        List<OrdersFile> files = new ArrayList<>();
        try (Connection connection = postgres.get();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT o.id, o.kind, o.landed_file FROM bulk_syncs o
                     WHERE o.shop_domain = ? AND o.object_type = 'orders' AND o.status = 'COMPLETED'
                       AND o.landed_file IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM bulk_syncs r
                                       WHERE r.shop_domain = o.shop_domain AND r.object_type = ?
                                         AND r.landed_file = o.landed_file AND r.status = 'COMPLETED')
                     ORDER BY o.started_at, o.id""")) {
            select.setString(1, shop.domain());
            select.setString(2, OBJECT_TYPE);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    files.add(new OrdersFile(rows.getLong(1), rows.getString(2), Path.of(rows.getString(3))));
                }
            }
        }
        catch (SQLException e) {
            throw unavailable(shop, e);
        }
        return files;
    }

    /** The step's row: the one still RUNNING for this file (a resumed step), else a new one. */
    private long openStep(ShopId shop, OrdersFile orders) {
        try (Connection connection = postgres.get()) {
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT id FROM bulk_syncs WHERE shop_domain = ? AND object_type = ? AND landed_file = ?
                                                AND status = 'RUNNING'
                    ORDER BY id DESC LIMIT 1""")) {
                select.setString(1, shop.domain());
                select.setString(2, OBJECT_TYPE);
                select.setString(3, orders.file().toString());
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        return rows.getLong(1);
                    }
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO bulk_syncs (shop_domain, bulk_operation_id, object_type, status, lines_landed,
                                            lines_rejected, started_at, kind, landed_file, objects_so_far,
                                            root_objects_so_far)
                    VALUES (?, NULL, ?, 'RUNNING', 0, 0, ?, ?, ?, 0, 0) RETURNING id""")) {
                insert.setString(1, shop.domain());
                insert.setString(2, OBJECT_TYPE);
                insert.setTimestamp(3, Timestamp.from(clock.instant()));
                insert.setString(4, orders.kind());
                insert.setString(5, orders.file().toString());
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        }
        catch (SQLException e) {
            throw unavailable(shop, e);
        }
    }

    /** The refunds among {@code ids} already done for this shop (by any earlier run). */
    private Set<Long> doneRefunds(ShopId shop, Set<Long> ids) {
        Set<Long> done = new HashSet<>();
        try (Connection connection = postgres.get();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT refund_id FROM refund_line_fetches WHERE shop_domain = ? AND refund_id = ANY (?)")) {
            select.setString(1, shop.domain());
            select.setArray(2, connection.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    done.add(rows.getLong(1));
                }
            }
        }
        catch (SQLException e) {
            throw unavailable(shop, e);
        }
        return done;
    }

    /** The batch's refunds as done, and the step's progress, in one transaction. */
    private void record(ShopId shop, long stepId, List<Long> batch, Map<Long, Long> orderOf, Batch answered) {
        try (Connection connection = postgres.get()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO refund_line_fetches (shop_domain, refund_id, order_id, sync_id, outcome, lines_landed,
                                                     fetched_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_domain, refund_id) DO NOTHING""");
                 PreparedStatement progress = connection.prepareStatement("""
                         UPDATE bulk_syncs SET objects_so_far = objects_so_far + ?,
                                               root_objects_so_far = root_objects_so_far + ?,
                                               lines_landed = lines_landed + ?, progress_at = ?, error = NULL
                         WHERE id = ?""")) {
                Timestamp now = Timestamp.from(clock.instant());
                for (long refundId : batch) {
                    insert.setString(1, shop.domain());
                    insert.setLong(2, refundId);
                    insert.setLong(3, orderOf.get(refundId));
                    insert.setLong(4, stepId);
                    insert.setString(5, answered.outcomes().get(refundId));
                    insert.setInt(6, answered.landed().getOrDefault(refundId, 0));
                    insert.setTimestamp(7, now);
                    insert.addBatch();
                }
                insert.executeBatch();
                progress.setLong(1, answered.lines());
                progress.setLong(2, batch.size());
                progress.setLong(3, answered.lines());
                progress.setTimestamp(4, now);
                progress.setLong(5, stepId);
                progress.executeUpdate();
            }
            connection.commit();
        }
        catch (SQLException e) {
            throw unavailable(shop, e);
        }
    }

    /**
     * At the start of a (resumed) step: the refunds the file names ({@code estimated_root_objects}) and how many are
     * already done ({@code root_objects_so_far}); {@code objects_so_far} and {@code lines_landed} count the refund
     * lines this step landed.
     */
    private void recordProgress(long stepId, long refunds, long done) {
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement("""
                     UPDATE bulk_syncs SET estimated_root_objects = ?, root_objects_so_far = ?, progress_at = ?
                     WHERE id = ?""")) {
            update.setLong(1, refunds);
            update.setLong(2, done);
            update.setTimestamp(3, Timestamp.from(clock.instant()));
            update.setLong(4, stepId);
            update.executeUpdate();
        }
        catch (SQLException e) {
            LOG.warn("Cannot record the progress of refund lines step {}: {}", stepId, e.getMessage());
        }
    }

    /** A long wait for Shopify's rate limit, on the step's row while it runs; the next progress clears it. */
    private void noteWaiting(long stepId, Duration wait, boolean refused) {
        if (wait.compareTo(NOTEWORTHY_WAIT) < 0) {
            return;
        }
        Instant until = clock.instant().plus(wait);
        String note = WAITING_PREFIX + (refused ? "Shopify answered THROTTLED" : "the rate limit bucket is empty")
                + "; waiting " + Math.max(1, wait.toSeconds()) + " s, until " + until;
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE bulk_syncs SET error = ?, progress_at = ? WHERE id = ? AND status = 'RUNNING'")) {
            update.setString(1, note);
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setLong(3, stepId);
            update.executeUpdate();
        }
        catch (SQLException e) {
            // Only the progress display misses the note; the import itself goes on.
            LOG.warn("Cannot record the rate-limit wait of refund lines step {}: {}", stepId, e.getMessage());
        }
    }

    private void finishStep(long stepId) {
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE bulk_syncs SET status = 'COMPLETED', finished_at = ?, error = NULL WHERE id = ?")) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setLong(2, stepId);
            update.executeUpdate();
        }
        catch (SQLException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot record refund lines step " + stepId + ": "
                    + e.getMessage(), e);
        }
    }

    private void failStep(long stepId, String error) {
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE bulk_syncs SET status = 'FAILED', error = ?, finished_at = ? WHERE id = ?")) {
            update.setString(1, error);
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setLong(3, stepId);
            update.executeUpdate();
        }
        catch (SQLException e) {
            LOG.error("Cannot record a failed refund lines step {}", stepId, e);
        }
    }

    private static boolean interrupted(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException || cause instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    private static DomainException unavailable(ShopId shop, SQLException e) {
        return new DomainException(ErrorCode.UNAVAILABLE, "Cannot record the refund lines import of " + shop + ": "
                + e.getMessage(), e);
    }
}
