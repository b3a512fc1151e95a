package com.ecomcrm.api.shopify;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.BulkLandingResult;
import com.ecomcrm.landing.LandingReject;
import com.ecomcrm.landing.LandingZone;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The initial import of one shop: a bulk operation per object type, polled until Shopify finishes it, its JSONL
 * result streamed into the landing zone. Progress and every refused line are recorded in PostgreSQL
 * ({@code bulk_syncs}, {@code landing_rejects}) so the API can report them.
 */
public final class BulkImport {
    private static final Logger LOG = LoggerFactory.getLogger(BulkImport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = """
            mutation run($query: String!) {
              bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
            }""";
    private static final String POLL = """
            query poll($id: ID!) {
              node(id: $id) { ... on BulkOperation { id status errorCode objectCount rootObjectCount url partialDataUrl } }
            }""";

    private final AdminApiClient shopify;
    private final LandingZone landingZone;
    private final Supplier<Connection> postgres;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration timeout;
    private final RefundLinesImport refundLines;

    public BulkImport(AdminApiClient shopify, LandingZone landingZone, Supplier<Connection> postgres, Clock clock,
                      Duration pollInterval, Duration timeout) {
        this(shopify, landingZone, postgres, clock, pollInterval, timeout,
                new RefundLinesImport(shopify, landingZone, postgres, clock));
    }

    /** @param refundLines the step after the bulk orders import that fetches the refund lines it cannot carry */
    public BulkImport(AdminApiClient shopify, LandingZone landingZone, Supplier<Connection> postgres, Clock clock,
                      Duration pollInterval, Duration timeout, RefundLinesImport refundLines) {
        this.refundLines = requireNonNull(refundLines, "refundLines is null");
        this.shopify = requireNonNull(shopify, "shopify is null");
        this.landingZone = requireNonNull(landingZone, "landingZone is null");
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /** The object types of the initial import, in the order they are imported, with their bulk queries. */
    public static final Map<String, String> OBJECT_TYPES = objectTypes();

    private static Map<String, String> objectTypes() {
        Map<String, String> types = new LinkedHashMap<>();
        types.put("customers", BulkQueries.CUSTOMERS);
        types.put("orders", BulkQueries.ORDERS);
        types.put("checkouts", BulkQueries.ABANDONED_CHECKOUTS);
        return Collections.unmodifiableMap(types);
    }

    /**
     * The steps of the initial import as GET /api/sync reports them: the bulk object types, then the refund lines of
     * the refunds the orders file named ({@link RefundLinesImport}).
     */
    public static final List<String> SYNC_STEPS = syncSteps();

    private static List<String> syncSteps() {
        List<String> steps = new ArrayList<>(OBJECT_TYPES.keySet());
        steps.add(RefundLinesImport.OBJECT_TYPE);
        return List.copyOf(steps);
    }

    /** Imports every object type again, whatever was imported before (a manual re-import), then the refund lines. */
    public void importShop(ShopId shop) {
        OBJECT_TYPES.forEach((objectType, query) -> importObjects(shop, objectType, query));
        refundLines.fetchPending(shop);
    }

    /**
     * Brings the shop's initial import to completion, picking up where an earlier run stopped: an object type whose
     * latest import completed is skipped, one whose bulk operation was still running when the process died is
     * resumed by polling that same operation (Shopify keeps running it, and its result file is landed under the same
     * name, so nothing is fetched or landed twice), and the others are started.
     *
     * @return the object types imported by this call (empty when the initial import was already complete)
     */
    public List<String> completeInitialSync(ShopId shop) {
        List<String> imported = new ArrayList<>();
        for (Map.Entry<String, String> type : OBJECT_TYPES.entrySet()) {
            Optional<LatestSync> latest = latestSync(shop, type.getKey());
            if (latest.isPresent() && latest.get().status().equals("COMPLETED")) {
                continue;
            }
            if (latest.isPresent() && latest.get().status().equals("RUNNING") && latest.get().operationId() != null) {
                LOG.info("Resuming the {} import of {} (bulk operation {})", type.getKey(), shop,
                        latest.get().operationId());
                land(shop, type.getKey(), latest.get().operationId(), latest.get().syncId());
            }
            else {
                importObjects(shop, type.getKey(), type.getValue());
            }
            imported.add(type.getKey());
        }
        if (refundLines.fetchPending(shop).stepsCompleted() > 0) {
            imported.add(RefundLinesImport.OBJECT_TYPE);
        }
        return imported;
    }

    /** Whether every step's latest initial run completed (the bulk object types and the refund lines). */
    public boolean initialSyncComplete(ShopId shop) {
        return SYNC_STEPS.stream()
                .allMatch(type -> latestSync(shop, type).filter(s -> s.status().equals("COMPLETED")).isPresent());
    }

    private record LatestSync(long syncId, String operationId, String status) {
    }

    private Optional<LatestSync> latestSync(ShopId shop, String objectType) {
        try (Connection connection = postgres.get();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT id, bulk_operation_id, status FROM bulk_syncs
                     WHERE shop_domain = ? AND object_type = ? AND kind = 'initial'
                     ORDER BY started_at DESC, id DESC LIMIT 1""")) {
            select.setString(1, shop.domain());
            select.setString(2, objectType);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next()
                        ? Optional.of(new LatestSync(rows.getLong(1), rows.getString(2), rows.getString(3)))
                        : Optional.empty();
            }
        }
        catch (SQLException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot read the imports of " + shop + ": "
                    + e.getMessage(), e);
        }
    }

    public BulkLandingResult importObjects(ShopId shop, String objectType, String bulkQuery) {
        return run(shop, objectType, bulkQuery, Optional.empty());
    }

    /** How far a catch-up overlaps the previous run: objects updated while that run was starting are fetched again. */
    static final Duration CATCH_UP_OVERLAP = Duration.ofHours(1);

    /**
     * Incremental catch-up after downtime: for each object type whose import completed before, a bulk query of the
     * objects updated since that run started (less {@link #CATCH_UP_OVERLAP}), so whatever changed while the app was
     * not receiving webhooks arrives. Landing the same object twice is harmless (the ingest keeps the latest
     * {@code updated_at}). Object types that never completed an import are left to {@link #completeInitialSync}.
     *
     * @return the object types caught up
     */
    public List<String> catchUp(ShopId shop) {
        closeInterruptedCatchUps(shop);
        List<String> caughtUp = new ArrayList<>();
        for (Map.Entry<String, String> type : OBJECT_TYPES.entrySet()) {
            Optional<Instant> lastStart = lastCompletedStart(shop, type.getKey());
            if (lastStart.isEmpty()) {
                continue;
            }
            Instant since = lastStart.get().minus(CATCH_UP_OVERLAP);
            run(shop, type.getKey(), BulkQueries.updatedAfter(type.getValue(), since), Optional.of(since));
            caughtUp.add(type.getKey());
        }
        // Refunds made while the app was down came in the catch-up's orders file without their lines.
        if (refundLines.fetchPending(shop).stepsCompleted() > 0) {
            caughtUp.add(RefundLinesImport.OBJECT_TYPE);
        }
        return caughtUp;
    }

    /** A catch-up still RUNNING was cut off by a stop; this one asks for everything since the last completed run. */
    private void closeInterruptedCatchUps(ShopId shop) {
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement("""
                     UPDATE bulk_syncs SET status = 'FAILED', error = 'interrupted by a restart; the next catch-up '
                                                                      || 'covered its changes', finished_at = ?
                     WHERE shop_domain = ? AND kind = 'catch_up' AND status = 'RUNNING'""")) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setString(2, shop.domain());
            update.executeUpdate();
        }
        catch (SQLException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot read the imports of " + shop + ": "
                    + e.getMessage(), e);
        }
    }

    private Optional<Instant> lastCompletedStart(ShopId shop, String objectType) {
        try (Connection connection = postgres.get();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT max(started_at) FROM bulk_syncs
                     WHERE shop_domain = ? AND object_type = ? AND status = 'COMPLETED'""")) {
            select.setString(1, shop.domain());
            select.setString(2, objectType);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                Timestamp at = rows.getTimestamp(1);
                return at == null ? Optional.empty() : Optional.of(at.toInstant());
            }
        }
        catch (SQLException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot read the imports of " + shop + ": "
                    + e.getMessage(), e);
        }
    }

    private BulkLandingResult run(ShopId shop, String objectType, String bulkQuery, Optional<Instant> updatedSince) {
        JsonNode started = shopify.graphql(RUN, JSON.createObjectNode().put("query", bulkQuery))
                .path("bulkOperationRunQuery");
        if (started.path("userErrors").size() > 0) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot start the " + objectType + " import for " + shop
                    + ": " + started.path("userErrors"));
        }
        String operationId = started.path("bulkOperation").path("id").asText();
        long syncId = recordStart(shop, operationId, objectType, updatedSince);
        return land(shop, objectType, operationId, syncId);
    }

    /** Waits for the operation to finish and lands its result file, recording the outcome on the sync's row. */
    private BulkLandingResult land(ShopId shop, String objectType, String operationId, long syncId) {
        try {
            JsonNode operation = awaitCompletion(shop, operationId, syncId);
            String url = operation.path("url").asText(null);
            BulkLandingResult result;
            if (url == null || url.isEmpty()) {
                // Shopify gives no file when the query matched nothing.
                result = landingZone.landBulk(shop, objectType, operationId, InputStream.nullInputStream());
            }
            else {
                try (InputStream jsonl = shopify.download(url)) {
                    result = landingZone.landBulk(shop, objectType, operationId, jsonl);
                }
            }
            recordFinish(syncId, shop, objectType, result);
            LOG.info("Imported {} for {}: {} lines landed, {} refused", objectType, shop, result.linesLanded(),
                    result.rejects().size());
            return result;
        }
        catch (RuntimeException | java.io.IOException e) {
            if (interrupted(e)) {
                // A shutdown, not a failure: the row stays RUNNING so the next start resumes the same operation.
                LOG.info("The {} import of {} was interrupted; it resumes at the next start", objectType, shop);
                throw e instanceof RuntimeException runtime ? runtime
                        : new DomainException(ErrorCode.UNAVAILABLE, "Interrupted while importing " + shop, e);
            }
            recordFailure(syncId, e.getMessage());
            throw e instanceof RuntimeException runtime ? runtime
                    : new DomainException(ErrorCode.UNAVAILABLE, "Cannot import " + objectType + " for " + shop, e);
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

    private JsonNode awaitCompletion(ShopId shop, String operationId, long syncId) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            JsonNode operation = shopify.graphql(POLL, JSON.createObjectNode().put("id", operationId)).path("node");
            String status = operation.path("status").asText();
            recordProgress(syncId, operation);
            switch (status) {
                case "COMPLETED":
                    return operation;
                case "FAILED", "CANCELED", "CANCELLED", "EXPIRED":
                    throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot import for " + shop + ": bulk operation "
                            + operationId + " ended " + status + " (" + operation.path("errorCode").asText() + ")");
                default:
                    if (clock.instant().isAfter(deadline)) {
                        throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot import for " + shop
                                + ": bulk operation " + operationId + " still " + status + " after " + timeout);
                    }
                    try {
                        Thread.sleep(pollInterval.toMillis());
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new DomainException(ErrorCode.UNAVAILABLE, "Interrupted while importing " + shop, e);
                    }
            }
        }
    }

    private long recordStart(ShopId shop, String operationId, String objectType, Optional<Instant> updatedSince) {
        try (Connection connection = postgres.get();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO bulk_syncs (shop_domain, bulk_operation_id, object_type, status, lines_landed,
                                             lines_rejected, started_at, kind, updated_since)
                     VALUES (?, ?, ?, 'RUNNING', 0, 0, ?, ?, ?) RETURNING id""")) {
            insert.setString(1, shop.domain());
            insert.setString(2, operationId);
            insert.setString(3, objectType);
            insert.setTimestamp(4, Timestamp.from(clock.instant()));
            insert.setString(5, updatedSince.isPresent() ? "catch_up" : "initial");
            insert.setTimestamp(6, updatedSince.map(Timestamp::from).orElse(null));
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
        catch (SQLException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot record the import of " + shop + ": " + e.getMessage(), e);
        }
    }

    /** Shopify's running counts (UnsignedInt64, sent as strings), for GET /api/sync; best effort. */
    private void recordProgress(long syncId, JsonNode operation) {
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement("""
                     UPDATE bulk_syncs SET objects_so_far = ?, root_objects_so_far = ?, progress_at = ? WHERE id = ?""")) {
            update.setLong(1, operation.path("objectCount").asLong(0));
            update.setLong(2, operation.path("rootObjectCount").asLong(0));
            update.setTimestamp(3, Timestamp.from(clock.instant()));
            update.setLong(4, syncId);
            update.executeUpdate();
        }
        catch (SQLException e) {
            // Progress is for display; the import itself must not fail for it.
            LOG.warn("Cannot record the progress of sync {}: {}", syncId, e.getMessage());
        }
    }

    private void recordFinish(long syncId, ShopId shop, String objectType, BulkLandingResult result) {
        try (Connection connection = postgres.get()) {
            connection.setAutoCommit(false);
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE bulk_syncs SET status = 'COMPLETED', lines_landed = ?, lines_rejected = ?, finished_at = ?,
                                          landed_file = ?
                    WHERE id = ?""");
                 PreparedStatement reject = connection.prepareStatement("""
                         INSERT INTO landing_rejects (shop_domain, source, topic, line_number, field, reason, recorded_at)
                         VALUES (?, 'bulk', ?, ?, ?, ?, ?)""")) {
                update.setLong(1, result.linesLanded());
                update.setLong(2, result.rejects().size());
                update.setTimestamp(3, Timestamp.from(clock.instant()));
                update.setString(4, result.file().toString());
                update.setLong(5, syncId);
                update.executeUpdate();
                for (LandingReject r : result.rejects()) {
                    reject.setString(1, shop.domain());
                    reject.setString(2, objectType);
                    reject.setLong(3, r.line());
                    reject.setString(4, r.field().orElse(null));
                    reject.setString(5, r.reason());
                    reject.setTimestamp(6, Timestamp.from(clock.instant()));
                    reject.addBatch();
                }
                reject.executeBatch();
            }
            connection.commit();
        }
        catch (SQLException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot record the import of " + shop + ": " + e.getMessage(), e);
        }
    }

    private void recordFailure(long syncId, String error) {
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE bulk_syncs SET status = 'FAILED', error = ?, finished_at = ? WHERE id = ?")) {
            update.setString(1, error);
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setLong(3, syncId);
            update.executeUpdate();
        }
        catch (SQLException e) {
            LOG.error("Cannot record a failed import (sync {})", syncId, e);
        }
    }
}
