package com.ecomcrm.api.shopify;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.BulkLandingResult;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingSource;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.testing.shopify.BulkJsonlWriter;
import com.ecomcrm.testing.shopify.BulkObjectType;
import com.ecomcrm.testing.shopify.SimulatedLine;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedRefund;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.SimulatorServer;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.shopify.WebhookPayloads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The refund lines of refunds made before install, fetched after the bulk import from the simulated Admin API and
 * landed as their {@code refunds/create} webhook would have carried them. Real PostgreSQL (a fresh schema per test),
 * Shopify played by the simulator over HTTP, a real landing zone.
 */
class RefundLinesImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ShopId SHOP = ShopId.of("refund-lines.myshopify.com");
    private static final ShopId OTHER = ShopId.of("refund-lines-other.myshopify.com");
    private static final ShopId PACED = ShopId.of("refund-lines-paced.myshopify.com");
    /** The refund of {@link #longRefundOrder}: more lines than one query asks for, so they are paged. */
    private static final int LONG_REFUND_LINES = 12;

    private static Vertx vertx;
    private static SimulatedStore store;
    private static SimulatedStore otherStore;
    private static SimulatorServer simulator;
    /** Its bucket holds barely one refund query (610 points) and refills at 200 points a second. */
    private static SimulatorServer smallBucket;

    @TempDir
    Path landing;
    private PostgresTarget target;
    private String schema;
    private LandingZone landingZone;

    @BeforeAll
    static void startSimulator() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        store = withLongRefund(StoreGenerator.generate(31, SHOP, 300));
        // Generated ids are unique across shops (SimulatedIds), as Shopify's are; the hand-made long refunds get
        // bases of their own too.
        otherStore = withLongRefund(StoreGenerator.generate(32, OTHER, 300), 991_000_000L);
        vertx = Vertx.vertx();
        simulator = new SimulatorServer(List.of(new SimulatorServer.ShopAccount(store, "shpat_refund_lines"),
                new SimulatorServer.ShopAccount(otherStore, "shpat_refund_lines_other")),
                SimulatorServer.Options.defaults().withPort(0));
        simulator.deployOn(vertx).await();
        smallBucket = new SimulatorServer(List.of(new SimulatorServer.ShopAccount(
                withLongRefund(StoreGenerator.generate(31, PACED, 300)), "shpat_refund_lines_paced")),
                SimulatorServer.Options.defaults().withPort(0).withBucket(650, 200));
        smallBucket.deployOn(vertx).await();
    }

    @AfterAll
    static void stopSimulator() {
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @BeforeEach
    void migrate() {
        target = PostgresTarget.fromEnv();
        schema = "refund_lines_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PostgresMigrator.migrate(target, schema);
        landingZone = new LandingZone(new LandingLayout(landing), Clock.systemUTC());
    }

    @AfterEach
    void drop() throws SQLException {
        if (landingZone != null) {
            landingZone.close();
        }
        try (Connection c = DriverManager.getConnection(target.url(), target.user(), target.password());
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void preInstallRefundsAreLandedWithTheRefundLinesTheirWebhookWouldHaveCarried() throws Exception {
        BulkImport bulk = bulkImport(simulator, SHOP, "shpat_refund_lines", RefundLinesImport.BatchListener.NONE);
        int queriesBefore = simulator.costedQueries(SHOP).size();

        List<String> imported = bulk.completeInitialSync(SHOP);

        assertThat(imported).containsExactly("customers", "orders", "checkouts", "refund_lines");
        assertThat(bulk.initialSyncComplete(SHOP)).isTrue();
        Map<Long, List<JsonNode>> landed = landedRefunds(SHOP);
        Map<Long, SimulatedOrder> orderOfRefund = refundedOrders(store);
        assertThat(landed.keySet()).containsExactlyElementsOf(orderOfRefund.keySet());
        WebhookPayloads payloads = new WebhookPayloads();
        for (Map.Entry<Long, SimulatedOrder> refund : orderOfRefund.entrySet()) {
            SimulatedOrder order = refund.getValue();
            SimulatedRefund simulated = order.refunds().stream().filter(r -> r.id() == refund.getKey()).findFirst()
                    .orElseThrow();
            JsonNode webhook = JSON.readTree(payloads.refundCreate(simulated, order));
            assertThat(landed.get(refund.getKey())).singleElement()
                    .satisfies(body -> assertThat(whatTheIngestReads(body)).isEqualTo(whatTheIngestReads(webhook)));
        }
        // Net revenue per order line: the same from the landed refunds as from the simulator.
        assertThat(netRevenuePerLine(landed)).isEqualTo(simulatedNetRevenuePerLine(store));
        // The long refund's lines came in two queries: the first ten with the refund, the rest by cursor.
        SimulatedRefund longRefund = longRefundOrder(store).refunds().get(0);
        assertThat(landed.get(longRefund.id()).get(0).get("refund_line_items")).hasSize(LONG_REFUND_LINES);
        List<SimulatorServer.CostedQuery> queries = simulator.costedQueries(SHOP);
        assertThat(queries.subList(queriesBefore, queries.size()))
                .filteredOn(q -> q.askedIds().equals(List.of(longRefund.gid()))).hasSize(1);
        long lines = orderOfRefund.values().stream().flatMap(o -> o.refunds().stream())
                .mapToLong(r -> r.lines().size()).sum();
        assertThat(step(SHOP)).isEqualTo("initial COMPLETED refunds " + orderOfRefund.size() + "/"
                + orderOfRefund.size() + " lines " + lines);
        // Every landed record has the envelope of its webhook's topic, under the Admin API source.
        for (String line : landedLines(SHOP)) {
            LandingEnvelope envelope = LandingEnvelope.fromJsonLine(line);
            assertThat(envelope.source()).isEqualTo(LandingSource.ADMIN_API);
            assertThat(envelope.topic()).isEqualTo("refunds/create");
            assertThat(envelope.deliveryId()).isEqualTo("gid://shopify/Refund/"
                    + JSON.readTree(envelope.body()).get("id").asLong());
        }

        // A later visit finds nothing left to fetch.
        int queriesAfter = simulator.costedQueries(SHOP).size();
        assertThat(bulk.completeInitialSync(SHOP)).isEmpty();
        assertThat(simulator.costedQueries(SHOP)).hasSize(queriesAfter);
    }

    @Test
    void theQueriesWaitForTheCostBucketInsteadOfBeingThrottled() {
        Map<Long, SimulatedOrder> refunds = refundedOrders(smallBucket.accounts().get(0).store());
        assertThat(refunds.size()).as("enough refunds for several queries").isGreaterThan(30);
        RefundLinesImport refundLines = new RefundLinesImport(client(smallBucket, PACED, "shpat_refund_lines_paced"),
                landingZone, this::connection, Clock.systemUTC());
        landOrders(PACED, smallBucket.accounts().get(0).store());

        RefundLinesImport.Result result = refundLines.fetchPending(PACED);

        assertThat(result.refundsFetched()).isEqualTo(refunds.size());
        assertThat(result.notLanded()).isZero();
        assertThat(smallBucket.throttledAnswers(PACED)).as("never refused: the client waited for the bucket").isZero();
        List<SimulatorServer.CostedQuery> queries = smallBucket.costedQueries(PACED);
        assertThat(queries.stream().mapToInt(SimulatorServer.CostedQuery::requestedCost).sum())
                .as("more was asked for than the bucket holds").isGreaterThan(3 * 650);
        assertThat(queries).allSatisfy(q -> assertThat(q.availableBefore()).isGreaterThanOrEqualTo(q.requestedCost()));
    }

    @Test
    void aThrottledAnswerIsWaitedOutAndTheQuerySentAgain() {
        Map<Long, SimulatedOrder> refunds = refundedOrders(smallBucket.accounts().get(0).store());
        landOrders(PACED, smallBucket.accounts().get(0).store());
        int before = smallBucket.throttledAnswers(PACED);
        // Another client of the app spends the bucket after each batch: the next query meets THROTTLED.
        RefundLinesImport refundLines = new RefundLinesImport(client(smallBucket, PACED, "shpat_refund_lines_paced"),
                landingZone, this::connection, Clock.systemUTC(), (shop, batch) -> smallBucket.spendBucket(shop, 650));

        RefundLinesImport.Result result = refundLines.fetchPending(PACED);

        assertThat(smallBucket.throttledAnswers(PACED) - before).isPositive();
        assertThat(result.refundsFetched()).isEqualTo(refunds.size());
        assertThat(landedRefunds(PACED).keySet()).containsExactlyElementsOf(refunds.keySet());
    }

    @Test
    void aWaitForTheRateLimitIsOnTheStepWhileItLastsAndGoneOnceTheStepMovesOn() {
        landOrders(PACED, smallBucket.accounts().get(0).store());
        List<String> seenWhileRunning = new ArrayList<>();
        // Another client of the app spends the bucket after each batch; what GET /api/sync would read is noted then.
        RefundLinesImport refundLines = new RefundLinesImport(client(smallBucket, PACED, "shpat_refund_lines_paced"),
                landingZone, this::connection, Clock.systemUTC(), (shop, batch) -> {
                    seenWhileRunning.add(stepError(shop));
                    smallBucket.spendBucket(shop, 650);
                });

        refundLines.fetchPending(PACED);

        assertThat(seenWhileRunning).as("the batch after a THROTTLED answer landed while the note was up")
                .anySatisfy(note -> assertThat(note).startsWith(RefundLinesImport.WAITING_PREFIX
                        + "Shopify answered THROTTLED; waiting "));
        assertThat(stepError(PACED)).as("the completed step carries no note").isNull();
    }

    @Test
    void aCrashInTheMiddleResumesWithTheRefundsNotYetRecordedAndFetchesNoRecordedOneAgain() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        List<Long> landedWhenCrashed = new ArrayList<>();
        BulkImport crashing = bulkImport(simulator, SHOP, "shpat_refund_lines", (shop, refunds) -> {
            if (batches.incrementAndGet() == 2) {
                // The batch is on disk, its refunds are not recorded yet: the worst moment to stop.
                landedWhenCrashed.addAll(refunds);
                throw new IllegalStateException("simulated crash after landing batch 2");
            }
        });
        assertThatThrownBy(() -> crashing.completeInitialSync(SHOP)).hasMessageContaining("simulated crash");
        assertThat(recordedRefunds(SHOP)).hasSize(10);
        int queriesBefore = simulator.costedQueries(SHOP).size();

        BulkImport restarted = bulkImport(simulator, SHOP, "shpat_refund_lines", RefundLinesImport.BatchListener.NONE);
        assertThat(restarted.completeInitialSync(SHOP)).containsExactly("refund_lines");

        Map<Long, SimulatedOrder> expected = refundedOrders(store);
        assertThat(recordedRefunds(SHOP)).containsExactlyElementsOf(expected.keySet());
        // After the restart only refunds not recorded were asked for: the crashed batch again, the first never.
        List<String> askedAfter = simulator.costedQueries(SHOP).subList(queriesBefore,
                simulator.costedQueries(SHOP).size()).stream().flatMap(q -> q.askedIds().stream()).toList();
        List<Long> firstBatch = expected.keySet().stream().limit(10).toList();
        assertThat(askedAfter).doesNotContainAnyElementsOf(firstBatch.stream().map(id -> "gid://shopify/Refund/" + id)
                .toList());
        // Each refund landed once, but the crashed batch twice; the (refund, line item) rows the ingest keeps are
        // exactly the simulator's.
        Map<Long, List<JsonNode>> landed = landedRefunds(SHOP);
        landed.forEach((refund, copies) -> assertThat(copies).as("copies of refund " + refund)
                .hasSize(landedWhenCrashed.contains(refund) ? 2 : 1));
        assertThat(landedWhenCrashed).containsExactlyElementsOf(expected.keySet().stream().skip(10).limit(10).toList());
        assertThat(netRevenuePerLine(landed)).isEqualTo(simulatedNetRevenuePerLine(store));
        assertThat(steps(SHOP)).containsExactly("FAILED", "COMPLETED");
    }

    @Test
    void aStopOfTheServerMidWayLeavesTheStepRunningAndTheNextStartResumesThatSameStep() throws Exception {
        landOrders(SHOP, store);
        AtomicInteger batches = new AtomicInteger();
        RefundLinesImport stopping = new RefundLinesImport(client(simulator, SHOP, "shpat_refund_lines"), landingZone,
                this::connection, Clock.systemUTC(), (shop, refunds) -> {
                    if (batches.incrementAndGet() == 1) {
                        // A shutdown interrupts the import thread; its next call to Shopify notices it.
                        Thread.currentThread().interrupt();
                    }
                });
        try {
            assertThatThrownBy(() -> stopping.fetchPending(SHOP)).isInstanceOf(DomainException.class)
                    .hasMessageContaining("Interrupted");
        }
        finally {
            Thread.interrupted();
        }
        assertThat(steps(SHOP)).containsExactly("RUNNING");
        assertThat(recordedRefunds(SHOP)).hasSize(10);

        RefundLinesImport.Result resumed = new RefundLinesImport(client(simulator, SHOP, "shpat_refund_lines"),
                landingZone, this::connection, Clock.systemUTC()).fetchPending(SHOP);

        Map<Long, SimulatedOrder> expected = refundedOrders(store);
        assertThat(resumed.refundsFetched()).isEqualTo(expected.size() - 10);
        assertThat(steps(SHOP)).as("the same step, resumed").containsExactly("COMPLETED");
        assertThat(recordedRefunds(SHOP)).containsExactlyElementsOf(expected.keySet());
        assertThat(landedRefunds(SHOP)).allSatisfy((refund, copies) -> assertThat(copies).hasSize(1));
        long lines = expected.values().stream().flatMap(o -> o.refunds().stream()).mapToLong(r -> r.lines().size())
                .sum();
        assertThat(step(SHOP)).isEqualTo("initial COMPLETED refunds " + expected.size() + "/" + expected.size()
                + " lines " + lines);
    }

    @Test
    void anotherShopsRefundIdsAreNeverFetchedOrLandedForThisShop() throws Exception {
        // A bulk file of this shop that names the other shop's refunds (a corrupted or forged file): its generated
        // refunds, whose ids no longer equal this shop's by accident, and the hand-made long one.
        List<SimulatedOrder> othersRefunded = otherStore.orders().stream().filter(o -> !o.refunds().isEmpty()).toList();
        assertThat(othersRefunded).contains(longRefundOrder(otherStore)).hasSizeGreaterThan(5);
        SimulatedStore othersOnly = new SimulatedStore(SHOP, 0, otherStore.historyStart(), otherStore.historyEnd(),
                List.of(), othersRefunded, List.of());
        landOrders(SHOP, othersOnly);
        Map<Long, SimulatedOrder> others = refundedOrders(othersOnly);
        assertThat(refundedOrders(store)).doesNotContainKeys(others.keySet().toArray(Long[]::new));
        RefundLinesImport refundLines = new RefundLinesImport(client(simulator, SHOP, "shpat_refund_lines"),
                landingZone, this::connection, Clock.systemUTC());

        RefundLinesImport.Result result = refundLines.fetchPending(SHOP);

        assertThat(result.refundsFetched()).isEqualTo(others.size());
        assertThat(result.notLanded()).as("Shopify knows none of them in this shop").isEqualTo(others.size());
        assertThat(landedLines(SHOP)).isEmpty();
        assertThat(landedLines(OTHER)).isEmpty();
        assertThat(outcomes(SHOP)).containsOnlyKeys("not_found");

        // A bulk_syncs row of this shop pointing at the other shop's landed file is refused, and nothing is asked.
        BulkLandingResult othersFile = landingZone.landBulk(OTHER, "orders", "gid://shopify/BulkOperation/8802",
                new ByteArrayInputStream(BulkJsonlWriter.toBytes(otherStore, BulkObjectType.ORDERS)));
        recordOrdersSync(SHOP, othersFile.file());
        int queries = simulator.costedQueries(SHOP).size();
        assertThatThrownBy(() -> refundLines.fetchPending(SHOP)).isInstanceOf(DomainException.class)
                .hasMessageContaining("it holds lines of " + OTHER);
        assertThat(simulator.costedQueries(SHOP)).hasSize(queries);
        assertThat(simulator.costedQueries(OTHER)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ fixtures

    /** The store plus one order of twelve lines, all refunded in one refund (ids from {@code idBase}, named #L1). */
    private static SimulatedStore withLongRefund(SimulatedStore generated) {
        return withLongRefund(generated, 990_000_000L);
    }

    private static SimulatedStore withLongRefund(SimulatedStore generated, long idBase) {
        SimulatedOrder first = generated.orders().get(0);
        long orderId = idBase + 1;
        List<SimulatedLine> lines = new ArrayList<>();
        List<SimulatedRefund.Line> refunded = new ArrayList<>();
        for (int i = 0; i < LONG_REFUND_LINES; i++) {
            long lineId = idBase + 100_000L + i;
            lines.add(new SimulatedLine(lineId, "gid://shopify/LineItem/" + lineId, 7000 + i, 8000 + i, "SKU-L" + i,
                    "Long order item " + i, 1, new BigDecimal("5.00")));
            refunded.add(new SimulatedRefund.Line(idBase + 200_000L + i, lineId, 1, new BigDecimal("5.00")));
        }
        Instant placed = first.createdAt().plus(Duration.ofHours(1));
        Instant refundedAt = placed.plus(Duration.ofDays(2));
        long refundId = idBase + 300_001L;
        SimulatedRefund refund = new SimulatedRefund(refundId, "gid://shopify/Refund/" + refundId, orderId,
                refundedAt, refunded);
        SimulatedOrder order = new SimulatedOrder(orderId, "gid://shopify/Order/" + orderId, "#L1", first.customerId(),
                placed, placed, refundedAt, null, "REFUNDED", "USD", lines, new BigDecimal("60.00"),
                new BigDecimal("60.00"), List.of(refund), false);
        List<SimulatedOrder> orders = new ArrayList<>(generated.orders());
        orders.add(order);
        return new SimulatedStore(generated.shop(), generated.seed(), generated.historyStart(), generated.historyEnd(),
                generated.customers(), orders, generated.checkouts());
    }

    private static SimulatedOrder longRefundOrder(SimulatedStore store) {
        return store.orders().stream().filter(o -> o.name().equals("#L1")).findFirst().orElseThrow();
    }

    private static Map<Long, SimulatedOrder> refundedOrders(SimulatedStore store) {
        Map<Long, SimulatedOrder> byRefund = new TreeMap<>();
        store.orders().forEach(o -> o.refunds().forEach(r -> byRefund.put(r.id(), o)));
        return byRefund;
    }

    /**
     * What the ingest takes from a refunds/create body: the refund, its order and time, each refund line (id, line
     * item, quantity, subtotal) and the money of its successful refund transactions.
     */
    private static String whatTheIngestReads(JsonNode refund) {
        List<String> lines = new ArrayList<>();
        for (JsonNode line : refund.get("refund_line_items")) {
            lines.add(line.get("id").asLong() + " item " + line.get("line_item_id").asLong() + " x"
                    + line.get("quantity").asInt() + " " + new BigDecimal(line.at("/subtotal_set/shop_money/amount")
                    .asText()) + "/" + line.get("subtotal").decimalValue().setScale(2));
        }
        lines.sort(String::compareTo);
        BigDecimal refunded = BigDecimal.ZERO;
        String currency = null;
        for (JsonNode transaction : refund.get("transactions")) {
            if (transaction.get("kind").asText().equals("refund") && transaction.get("status").asText().equals("success")) {
                refunded = refunded.add(new BigDecimal(transaction.get("amount").asText()));
                currency = transaction.get("currency").asText();
            }
        }
        return "refund " + refund.get("id").asLong() + " order " + refund.get("order_id").asLong() + " at "
                + Instant.parse(refund.get("created_at").asText().replaceFirst("([+-]\\d\\d:\\d\\d)$", "$1"))
                + " " + refunded + " " + currency + " lines " + lines;
    }

    /** Refunded money per (order, line item), from landed refund bodies (one copy of each refund). */
    private static Map<String, BigDecimal> netRevenuePerLine(Map<Long, List<JsonNode>> landed) {
        Map<String, BigDecimal> refundedPerLine = new TreeMap<>();
        for (List<JsonNode> copies : landed.values()) {
            JsonNode refund = copies.get(0);
            for (JsonNode line : refund.get("refund_line_items")) {
                refundedPerLine.merge(refund.get("order_id").asLong() + "/" + line.get("line_item_id").asLong(),
                        new BigDecimal(line.get("subtotal").asText()), BigDecimal::add);
            }
        }
        Map<String, BigDecimal> net = new TreeMap<>();
        for (SimulatedOrder order : store.orders()) {
            for (SimulatedLine line : order.lines()) {
                String key = order.id() + "/" + line.id();
                net.put(key, line.lineTotal().subtract(refundedPerLine.getOrDefault(key, BigDecimal.ZERO)));
            }
        }
        return net;
    }

    private static Map<String, BigDecimal> simulatedNetRevenuePerLine(SimulatedStore store) {
        Map<String, BigDecimal> net = new TreeMap<>();
        for (SimulatedOrder order : store.orders()) {
            for (SimulatedLine line : order.lines()) {
                BigDecimal refunded = order.refunds().stream().flatMap(r -> r.lines().stream())
                        .filter(l -> l.lineItemId() == line.id()).map(SimulatedRefund.Line::subtotal)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                net.put(order.id() + "/" + line.id(), line.lineTotal().subtract(refunded));
            }
        }
        return net;
    }

    private AdminApiClient client(SimulatorServer on, ShopId shop, String token) {
        return new AdminApiClient(HTTP, on.adminUrlTemplate(), shop, token);
    }

    private BulkImport bulkImport(SimulatorServer on, ShopId shop, String token,
                                  RefundLinesImport.BatchListener listener) {
        AdminApiClient client = client(on, shop, token);
        return new BulkImport(client, landingZone, this::connection, Clock.systemUTC(), Duration.ofMillis(20),
                Duration.ofMinutes(1), new RefundLinesImport(client, landingZone, this::connection, Clock.systemUTC(),
                listener));
    }

    /** Lands {@code source}'s orders as a completed bulk orders import of {@code shop}. */
    private void landOrders(ShopId shop, SimulatedStore source) {
        BulkLandingResult result = landingZone.landBulk(shop, "orders", "gid://shopify/BulkOperation/8801",
                new ByteArrayInputStream(BulkJsonlWriter.toBytes(source, BulkObjectType.ORDERS)));
        recordOrdersSync(shop, result.file());
    }

    private void recordOrdersSync(ShopId shop, Path file) {
        try (Connection c = connection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO bulk_syncs (shop_domain, bulk_operation_id, object_type, status, started_at,
                                             finished_at, lines_landed, lines_rejected, landed_file, kind)
                     VALUES (?, ?, 'orders', 'COMPLETED', now(), now(), 0, 0, ?, 'initial')""")) {
            insert.setString(1, shop.domain());
            insert.setString(2, "gid://shopify/BulkOperation/" + UUID.randomUUID());
            insert.setString(3, file.toString());
            insert.executeUpdate();
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The error (or rate-limit note) of the shop's latest refund lines step. */
    private String stepError(ShopId shop) {
        try (Connection connection = connection();
             PreparedStatement select = connection.prepareStatement("SELECT error FROM bulk_syncs WHERE shop_domain = ? "
                     + "AND object_type = 'refund_lines' ORDER BY id DESC LIMIT 1")) {
            select.setString(1, shop.domain());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connection() {
        try {
            String url = target.url() + (target.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
            return DriverManager.getConnection(url, target.user(), target.password());
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> landedLines(ShopId shop) throws IOException {
        Path dir = new LandingLayout(landing).shopDirectory(LandingSource.ADMIN_API, shop);
        if (!Files.exists(dir)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }

    /** Landed refund bodies by refund id, every copy. */
    private Map<Long, List<JsonNode>> landedRefunds(ShopId shop) {
        Map<Long, List<JsonNode>> refunds = new TreeMap<>();
        try {
            for (String line : landedLines(shop)) {
                JsonNode body = JSON.readTree(LandingEnvelope.fromJsonLine(line).body());
                refunds.computeIfAbsent(body.get("id").asLong(), id -> new ArrayList<>()).add(body);
            }
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return refunds;
    }

    private List<Long> recordedRefunds(ShopId shop) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = connection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT refund_id FROM refund_line_fetches WHERE shop_domain = ? ORDER BY refund_id")) {
            select.setString(1, shop.domain());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        }
        return ids;
    }

    private Map<String, Long> outcomes(ShopId shop) throws SQLException {
        Map<String, Long> outcomes = new HashMap<>();
        try (Connection c = connection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT outcome, count(*) FROM refund_line_fetches WHERE shop_domain = ? GROUP BY outcome")) {
            select.setString(1, shop.domain());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    outcomes.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return outcomes;
    }

    /** "kind status refunds done/estimate lines n" of the shop's latest refund lines step. */
    private String step(ShopId shop) throws SQLException {
        try (Connection c = connection();
             PreparedStatement select = c.prepareStatement("""
                     SELECT kind, status, root_objects_so_far, estimated_root_objects, lines_landed FROM bulk_syncs
                     WHERE shop_domain = ? AND object_type = 'refund_lines' ORDER BY id DESC LIMIT 1""")) {
            select.setString(1, shop.domain());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getString(1) + " " + rows.getString(2) + " refunds " + rows.getLong(3) + "/"
                        + rows.getLong(4) + " lines " + rows.getLong(5);
            }
        }
    }

    private List<String> steps(ShopId shop) throws SQLException {
        try (Connection c = connection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT status FROM bulk_syncs WHERE shop_domain = ? AND object_type = 'refund_lines' ORDER BY id")) {
            select.setString(1, shop.domain());
            List<String> statuses = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    statuses.add(rows.getString(1));
                }
            }
            return statuses;
        }
    }

}
