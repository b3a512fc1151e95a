package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.auth.SessionTokenVerifier;
import com.ecomcrm.api.http.ErrorResponses;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.testing.session.SessionTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The streamed CSV export at size: a shop of 200,000 customers exported through the real route, ClickHouse and a
 * chunked response. The file has every customer in the list's order and filters; a client that stops reading holds
 * the export back (the rows read from ClickHouse stop growing far below the total) and one that goes away stops it;
 * another shop's export never has one of these customers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CustomerExportTest {
    private static final String CLIENT_ID = "export-test-client-id";
    private static final String SECRET = "export-test-client-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SessionTokens TOKENS = new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC());
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId BIG = ShopId.of("export-" + RUN + "-big.myshopify.com");
    private static final ShopId OTHER = ShopId.of("export-" + RUN + "-other.myshopify.com");
    private static final List<String> TABLES = List.of("customer_rfm", "customer_predictions", "shop_publications");
    private static final int CUSTOMERS = 200_000;
    private static final int OTHER_CUSTOMERS = 1_000;
    /** Every customer of OTHER has spent exactly this; no customer of BIG has. */
    private static final long OTHER_SPEND_CENTS = 123;
    private static final String[] SEGMENTS = {"CHAMPIONS", "LOYAL", "AT_RISK", "NEW", "DORMANT"};
    private static final LocalDate D28 = LocalDate.of(2026, 11, 28);
    private static final LocalDate D29 = LocalDate.of(2026, 11, 29);

    private static Vertx vertx;
    private static ClickHouseGateway clickHouse;
    private static CountingReader reader;
    private static String base;
    private static int port;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        new ClickHouseMigrator(ClickHouseTarget.fromEnv()).migrate();
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
        vertx = Vertx.vertx();
        reader = new CountingReader(new ClickHouseCustomerReader(clickHouse));
        CustomerHandlers customers = new CustomerHandlers(vertx, reader);
        Router router = Router.router(vertx);
        ErrorResponses errors = new ErrorResponses();
        router.route("/api/*").handler(new SessionTokenHandler(new SessionTokenVerifier(CLIENT_ID, SECRET,
                Clock.systemUTC())));
        router.get("/api/customers").handler(customers.list());
        router.get("/api/customers.csv").handler(customers.csv());
        router.route().failureHandler(errors);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        port = server.actualPort();
        base = "http://127.0.0.1:" + port;
        publishFixtures();
    }

    @AfterAll
    static void stop() {
        if (clickHouse != null) {
            for (ShopId shop : List.of(BIG, OTHER)) {
                for (String table : TABLES) {
                    clickHouse.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
            }
            clickHouse.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    /**
     * BIG: publication 7 with customers 1..200,000, segments in turn, spend {@link #spend}, a prediction for every
     * even id; a half-written publish 8 (rows, no publication row) with customers above 200,000. OTHER: publication 3
     * with customers 1..1,000 (the same ids), each with {@link #OTHER_SPEND_CENTS}.
     */
    private static void publishFixtures() {
        List<Map<String, Object>> rfm = new ArrayList<>(CUSTOMERS);
        List<Map<String, Object>> predictions = new ArrayList<>(CUSTOMERS / 2);
        for (long id = 1; id <= CUSTOMERS; id++) {
            rfm.add(rfmRow(7, D28, id, spend(id), SEGMENTS[(int) (id % SEGMENTS.length)]));
            if (id % 2 == 0) {
                predictions.add(predictionRow(7, D28, id, (id % 1000) * 100));
            }
        }
        clickHouse.forShop(BIG).insertRows("customer_rfm", rfm);
        clickHouse.forShop(BIG).insertRows("customer_predictions", predictions);
        publication(BIG, 7, D28);
        clickHouse.forShop(BIG).insertRows("customer_rfm", List.of(
                rfmRow(8, D29, CUSTOMERS + 1, 99_999_999, "CHAMPIONS"),
                rfmRow(8, D29, CUSTOMERS + 2, 99_999_999, "LOYAL")));

        List<Map<String, Object>> other = new ArrayList<>();
        for (long id = 1; id <= OTHER_CUSTOMERS; id++) {
            other.add(rfmRow(3, D28, id, OTHER_SPEND_CENTS, "CHAMPIONS"));
        }
        clickHouse.forShop(OTHER).insertRows("customer_rfm", other);
        publication(OTHER, 3, D28);
    }

    /** Many ties (a thousand customers share each amount), never {@link #OTHER_SPEND_CENTS}. */
    private static long spend(long id) {
        return 1_000 + (id * 7_919) % 200 * 500;
    }

    private static Map<String, Object> rfmRow(long publishId, LocalDate date, long id, long cents, String segment) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", publishId);
        row.put("as_of_date", date);
        row.put("customer_id", id);
        row.put("recency_days", (int) (id % 400));
        row.put("frequency", 1 + id % 20);
        row.put("monetary_cents", cents);
        row.put("r_score", 3);
        row.put("f_score", 3);
        row.put("m_score", 3);
        row.put("segment", segment);
        return row;
    }

    private static Map<String, Object> predictionRow(long publishId, LocalDate date, long id, long clvCents) {
        Map<String, Object> row = new HashMap<>();
        row.put("publish_id", publishId);
        row.put("as_of_date", date);
        row.put("customer_id", id);
        row.put("prediction_status", "PREDICTED");
        row.put("expected_orders_30d", 0.1);
        row.put("expected_orders_90d", 0.3);
        row.put("expected_orders_365d", 1.2);
        row.put("probability_alive", 0.8);
        row.put("expected_order_value_cents", 5_000);
        row.put("clv_12m_cents", clvCents);
        row.put("clv_low_cents", clvCents / 2);
        row.put("clv_high_cents", clvCents * 2);
        row.put("churn_risk", id % 4 == 0 ? "HIGH" : "LOW");
        return row;
    }

    private static void publication(ShopId shop, long publishId, LocalDate date) {
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", publishId,
                "as_of_date", date, "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 1)));
    }

    @Test
    void exportsTwoHundredThousandCustomersInTheListsOrder() throws Exception {
        HttpResponse<InputStream> response = download("/api/customers.csv?sort=monetary&order=desc", BIG);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Total-Count")).hasValue(Integer.toString(CUSTOMERS));
        assertThat(response.headers().firstValue("X-Export-Truncated")).hasValue("false");
        long rows = 0;
        long previousSpend = Long.MAX_VALUE;
        long previousId = 0;
        boolean ordered = true;
        List<String> firstIds = new ArrayList<>();
        // Read as it arrives, never held whole: the test keeps one record at a time too.
        try (CSVParser parser = CSVParser.parse(new InputStreamReader(response.body(), StandardCharsets.UTF_8),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames()).isEqualTo(CustomerCsv.HEADER);
            for (CSVRecord record : parser) {
                long id = Long.parseLong(record.get("customer_id"));
                long cents = new java.math.BigDecimal(record.get("monetary")).movePointRight(2).longValueExact();
                // Most spend first, ties by customer id ascending: the list's order.
                ordered &= cents < previousSpend || (cents == previousSpend && id > previousId);
                assertThat(cents).isEqualTo(spend(id));
                previousSpend = cents;
                previousId = id;
                if (firstIds.size() < 50) {
                    firstIds.add(record.get("customer_id"));
                }
                rows++;
            }
        }

        assertThat(rows).isEqualTo(CUSTOMERS);
        assertThat(ordered).as("rows in the list's order").isTrue();
        JsonNode firstPage = ok("/api/customers?sort=monetary&order=desc&page_size=50", BIG);
        List<String> listIds = new ArrayList<>();
        firstPage.get("items").forEach(item -> listIds.add(item.get("customer_id").asText()));
        assertThat(firstIds).isEqualTo(listIds);
    }

    @Test
    void exportHasTheListsFiltersOnALargeShop() throws Exception {
        String filters = "segment=LOYAL&churn_risk=HIGH&clv_min=10.00&sort=clv_12m&order=asc";
        long listTotal = ok("/api/customers?" + filters + "&page_size=1", BIG).get("total").asLong();
        HttpResponse<InputStream> response = download("/api/customers.csv?" + filters, BIG);

        long rows = 0;
        boolean matching = true;
        try (CSVParser parser = CSVParser.parse(new InputStreamReader(response.body(), StandardCharsets.UTF_8),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord record : parser) {
                long id = Long.parseLong(record.get("customer_id"));
                matching &= record.get("segment").equals("LOYAL") && record.get("churn_risk").equals("HIGH")
                        && new java.math.BigDecimal(record.get("clv_12m")).compareTo(new java.math.BigDecimal("10.00")) >= 0
                        && id % SEGMENTS.length == 1 && id % 4 == 0;
                rows++;
            }
        }

        // LOYAL: id % 5 == 1; HIGH churn: id % 4 == 0; CLV >= 10.00: id % 1000 >= 10.
        long expected = 0;
        for (long id = 1; id <= CUSTOMERS; id++) {
            if (id % 5 == 1 && id % 4 == 0 && id % 1000 >= 10) {
                expected++;
            }
        }
        assertThat(matching).isTrue();
        assertThat(rows).isEqualTo(expected).isEqualTo(listTotal);
        assertThat(response.headers().firstValue("X-Total-Count")).hasValue(Long.toString(expected));
    }

    @Test
    void aClientThatStopsReadingHoldsTheExportBackAndOneThatLeavesStopsIt() throws Exception {
        long before = reader.streamed.get();
        long endedBefore = reader.ended.get();
        try (Socket socket = new Socket()) {
            // A small receive window: the client's side holds almost nothing.
            socket.setReceiveBufferSize(8 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/customers.csv?sort=customer_id&order=asc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + TOKENS.issue(BIG) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            assertThat(new String(in.readNBytes(2_048), StandardCharsets.UTF_8)).contains("customer_id,");

            // The client reads nothing more: the export must stall, far below the 200,000 rows.
            long stalled = waitUntilStable(() -> reader.streamed.get() - before);
            assertThat(stalled).as("rows read from ClickHouse while the client reads nothing")
                    .isPositive().isLessThan(CUSTOMERS / 2);
            Thread.sleep(1_000);
            assertThat(reader.streamed.get() - before).as("still held back a second later").isEqualTo(stalled);
        }
        // The client left: the export stops (its query too) instead of reading on into the void.
        long deadline = System.currentTimeMillis() + 10_000;
        while (reader.ended.get() == endedBefore && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(reader.ended.get()).as("exports ended").isEqualTo(endedBefore + 1);
        assertThat(reader.streamed.get() - before).isLessThan(CUSTOMERS / 2);
    }

    @Test
    void anotherShopsExportNeverHasTheseCustomers() throws Exception {
        HttpResponse<InputStream> other = download("/api/customers.csv?sort=customer_id&order=asc", OTHER);
        long rows = 0;
        boolean onlyOthers = true;
        try (CSVParser parser = CSVParser.parse(new InputStreamReader(other.body(), StandardCharsets.UTF_8),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord record : parser) {
                onlyOthers &= record.get("monetary").equals("1.23") && record.get("segment").equals("CHAMPIONS")
                        && record.get("clv_12m").isEmpty();
                rows++;
            }
        }
        assertThat(rows).isEqualTo(OTHER_CUSTOMERS);
        assertThat(onlyOthers).as("every row is one of OTHER's customers").isTrue();
        assertThat(other.headers().firstValue("X-Total-Count")).hasValue(Integer.toString(OTHER_CUSTOMERS));

        // And BIG's export of the same ids never has OTHER's rows (nor the half-written publish).
        HttpResponse<InputStream> big = download("/api/customers.csv?q=1&sort=customer_id&order=asc", BIG);
        boolean noneOfOthers = true;
        long bigRows = 0;
        try (CSVParser parser = CSVParser.parse(new InputStreamReader(big.body(), StandardCharsets.UTF_8),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord record : parser) {
                noneOfOthers &= !record.get("monetary").equals("1.23")
                        && Long.parseLong(record.get("customer_id")) <= CUSTOMERS;
                bigRows++;
            }
        }
        assertThat(noneOfOthers).isTrue();
        assertThat(bigRows).isEqualTo(111_111); // 1, 10..19, 100..199, ..., 100000..199999
    }

    /** The status line and headers, up to the blank line. */
    private static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static long waitUntilStable(java.util.function.LongSupplier value) throws InterruptedException {
        long last = -1;
        long current = value.getAsLong();
        long deadline = System.currentTimeMillis() + 20_000;
        while ((current != last || current == 0) && System.currentTimeMillis() < deadline) {
            last = current;
            Thread.sleep(500);
            current = value.getAsLong();
        }
        return current;
    }

    private static HttpResponse<InputStream> download(String path, ShopId shop) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKENS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private static JsonNode ok(String path, ShopId shop) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKENS.issue(shop)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The real reader, counting the rows its streams hand over and the streams that ended (either way). */
    private static final class CountingReader implements CustomerReader {
        final AtomicLong streamed = new AtomicLong();
        final AtomicLong ended = new AtomicLong();
        private final CustomerReader real;

        CountingReader(CustomerReader real) {
            this.real = real;
        }

        @Override
        public long stream(ShopId shop, Publication publication, CustomerQuery query, long limit,
                           Consumer<CustomerRow> rows) {
            try {
                return real.stream(shop, publication, query, limit, row -> {
                    streamed.incrementAndGet();
                    rows.accept(row);
                });
            }
            finally {
                ended.incrementAndGet();
            }
        }

        @Override
        public Optional<Publication> publication(ShopId shop) {
            return real.publication(shop);
        }

        @Override
        public long count(ShopId shop, Publication publication, CustomerQuery query) {
            return real.count(shop, publication, query);
        }

        @Override
        public List<CustomerRow> page(ShopId shop, Publication publication, CustomerQuery query) {
            return real.page(shop, publication, query);
        }

        @Override
        public Optional<CustomerRow> customer(ShopId shop, Publication publication, long customerId) {
            return real.customer(shop, publication, customerId);
        }

        @Override
        public List<RfmHistoryPoint> history(ShopId shop, Publication publication, long customerId) {
            return real.history(shop, publication, customerId);
        }

        @Override
        public CurrentRead<Long> currentCount(ShopId shop, CustomerQuery query) {
            return real.currentCount(shop, query);
        }

        @Override
        public CurrentRead<List<CustomerRow>> currentPage(ShopId shop, CustomerQuery query) {
            return real.currentPage(shop, query);
        }

        @Override
        public CurrentRead<Optional<CustomerRow>> currentCustomer(ShopId shop, long customerId) {
            return real.currentCustomer(shop, customerId);
        }

        @Override
        public Optional<Publication> currentPublicationOf(ShopId shop, long customerId) {
            return real.currentPublicationOf(shop, customerId);
        }

        @Override
        public CurrentHistory currentHistory(ShopId shop, long customerId) {
            return real.currentHistory(shop, customerId);
        }
    }
}
