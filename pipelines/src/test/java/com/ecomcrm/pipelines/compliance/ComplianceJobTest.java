package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.pipelines.Lakehouse;
import com.ecomcrm.pipelines.LakehouseTables;
import com.ecomcrm.pipelines.PipelineSettings;
import com.ecomcrm.pipelines.SparkSessions;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.IcebergDefinitions;
import com.ecomcrm.schema.IcebergTable;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.iceberg.shaded.org.apache.avro.file.DataFileReader;
import org.apache.iceberg.shaded.org.apache.avro.generic.GenericDatumReader;
import org.apache.iceberg.shaded.org.apache.avro.generic.GenericRecord;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The compliance job on the real servers: PostgreSQL (a throwaway schema), a throwaway ClickHouse database, a landing
 * zone and a lakehouse of real Spark + Iceberg with the PostgreSQL JDBC catalog. Two shops hold the same customer id
 * and email, and the first shop has a second customer: a request about one must leave both others untouched.
 */
class ComplianceJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private static final long TARGET = 731_000_000_001L;
    private static final long KEPT = 731_000_000_002L;
    private static final String TARGET_EMAIL = "target.person." + RUN + "@example.com";
    private static final String KEPT_EMAIL = "kept.person." + RUN + "@example.com";
    private static final long TARGET_ORDER = 5_550_000_001L;
    private static final long KEPT_ORDER = 5_550_000_002L;
    /** Landed ten days before the run: a closed day the redaction may rewrite. */
    private static final Instant LANDED_AT = Instant.now().minusSeconds(10 * 86_400L);

    @TempDir
    static Path temp;
    static SparkSession spark;
    static Lakehouse lakehouse;
    static Path warehouse;

    /** Fresh shops per test: the lakehouse tables are shared by the class, to keep Spark time down. */
    private ShopId mainShop;
    private ShopId otherShop;
    private String schema;
    private String chDatabase;
    private PgConnector postgres;
    private ClickHouseGateway clickHouse;
    private Path landingRoot;
    private Path exports;

    @BeforeAll
    static void startSpark() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        lakehouse = new Lakehouse("test_comply_" + RUN);
        warehouse = temp.resolve("warehouse");
        spark = SparkSessions.create(PipelineSettings.fromEnvironment().withWarehouseDir(warehouse), lakehouse);
        LakehouseTables.ensure(spark, lakehouse);
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            dropTables();
            spark.stop();
        }
    }

    @BeforeEach
    void servers() throws Exception {
        PostgresTarget target = PostgresTarget.fromEnv();
        schema = "comply_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PostgresMigrator.migrate(target, schema);
        postgres = new PgConnector(target.url(), target.user(), target.password(), Optional.of(schema));
        chDatabase = "comply_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        new ClickHouseMigrator(ClickHouseTarget.fromEnv().withDatabase(chDatabase)).migrate();
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment().withDatabase(chDatabase));
        landingRoot = Files.createTempDirectory(temp, "landing");
        exports = Files.createTempDirectory(temp, "exports");
        String shopName = "comply-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        mainShop = ShopId.of(shopName + ".myshopify.com");
        otherShop = ShopId.of(shopName + "-other.myshopify.com");
        seed();
    }

    @AfterEach
    void dropServers() throws Exception {
        if (clickHouse != null) {
            clickHouse.admin().execute("DROP DATABASE IF EXISTS " + chDatabase);
            clickHouse.close();
        }
        if (postgres != null) {
            try (Connection connection = postgres.open(); Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void aRedactedCustomerIsFoundInNoStoreWhileTheOtherCustomerAndShopAreUntouched() throws Exception {
        long request = request(mainShop, "customers/redact", TARGET, TARGET_EMAIL, List.of(TARGET_ORDER));
        List<String> keptBefore = lakehouseRows(KEPT_EMAIL, String.valueOf(KEPT_ORDER));
        List<String> otherShopBefore = lakehouseRows(otherShop.domain(), otherShop.domain());

        List<ComplianceJob.Outcome> outcomes = job().run(Instant.now().plusSeconds(1));

        outcomes.forEach(outcome -> System.out.println(outcome.line()));
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.done()).as(outcome.line()).isTrue();
            assertThat(outcome.counts().get("iceberg")).containsEntry(lakehouse.customers(), 1L)
                    .containsEntry(lakehouse.orders(), 1L).containsEntry(lakehouse.orderLines(), 1L)
                    .containsEntry(lakehouse.refunds(), 1L).containsEntry(lakehouse.refundLines(), 1L);
            assertThat(outcome.counts().get("clickhouse")).containsEntry("customer_rfm", 1L);
            assertThat(outcome.counts().get("landing")).containsEntry("lines", 4L);
        });
        for (String needle : List.of(TARGET_EMAIL, String.valueOf(TARGET), String.valueOf(TARGET_ORDER))) {
            assertThat(postgresDump(mainShop)).as("PostgreSQL").doesNotContain(needle);
            assertThat(landingText(mainShop)).as("landing").doesNotContain(needle);
            assertThat(warehouseText(mainShop)).as("Iceberg files").doesNotContain(needle);
            assertThat(clickHouseDump(mainShop)).as("ClickHouse").doesNotContain(needle);
        }
        assertThat(warehouseText(mainShop)).as("Iceberg bounds keep 16 characters").doesNotContain(
                TARGET_EMAIL.substring(0, 16));
        // The other customer of the shop, and the same customer in another shop, are all still there.
        assertThat(lakehouseRows(KEPT_EMAIL, String.valueOf(KEPT_ORDER))).isEqualTo(keptBefore).hasSize(3);
        assertThat(lakehouseRows(otherShop.domain(), otherShop.domain())).isEqualTo(otherShopBefore);
        assertThat(postgresDump(mainShop)).contains(KEPT_EMAIL);
        assertThat(postgresDump(otherShop)).contains(TARGET_EMAIL);
        assertThat(landingText(mainShop)).contains(KEPT_EMAIL);
        assertThat(landingText(otherShop)).contains(TARGET_EMAIL).contains(String.valueOf(TARGET_ORDER));
        assertThat(clickHouseDump(mainShop)).contains(String.valueOf(KEPT));
        assertThat(clickHouseDump(otherShop)).contains(String.valueOf(TARGET));
        assertThat(scalar("SELECT status || ' ' || attempts || ' ' || (customer_id IS NULL) FROM compliance_requests "
                + "WHERE id = " + request)).isEqualTo("DONE 1 true");
        assertThat(scalar("SELECT count(*) FROM compliance_request_subjects")).isEqualTo("0");
        assertThat(scalar("SELECT string_agg(event, ',' ORDER BY id) FROM compliance_audit WHERE request_id = "
                + request)).isEqualTo("DONE");

        // Rerunning finds nothing pending and changes nothing.
        assertThat(job().run(Instant.now().plusSeconds(1))).isEmpty();
        assertThat(scalar("SELECT count(*) FROM compliance_audit")).isEqualTo("1");
    }

    @Test
    void aShopRedactErasesTheShopEverywhereAndKeepsTheOtherShop() throws Exception {
        request(mainShop, "shop/redact", null, null, List.of());
        List<String> otherShopBefore = lakehouseRows(otherShop.domain(), otherShop.domain());

        List<ComplianceJob.Outcome> outcomes = job().run(Instant.now().plusSeconds(1));

        outcomes.forEach(outcome -> System.out.println(outcome.line()));
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.done()).as(outcome.line())
                .isTrue());
        // The other shop holds the same customer id and email: what must be gone is the shop's name and what
        // only the shop held.
        for (String needle : List.of(mainShop.domain(), KEPT_EMAIL, String.valueOf(KEPT))) {
            assertThat(postgresDumpWithoutLedger()).as("PostgreSQL").doesNotContain(needle);
            assertThat(warehouseText(mainShop)).as("Iceberg").doesNotContain(needle);
        }
        assertThat(clickHouseDump(mainShop)).as("ClickHouse").isEmpty();
        try (Stream<Path> paths = Files.walk(warehouse)) {
            assertThat(paths.map(Path::toString)).noneMatch(path -> path.contains("shop_id=" + mainShop.domain()));
        }
        assertThat(Files.exists(new LandingLayout(landingRoot).shopDirectory(
                com.ecomcrm.landing.LandingSource.WEBHOOK, mainShop))).isFalse();
        assertThat(lakehouseRows(otherShop.domain(), otherShop.domain())).isEqualTo(otherShopBefore).isNotEmpty();
        assertThat(landingText(otherShop)).contains(TARGET_EMAIL);
        assertThat(clickHouseDump(otherShop)).contains(String.valueOf(TARGET));
        assertThat(scalar("SELECT count(*) FROM consent WHERE shop_domain = '" + otherShop.domain() + "'"))
                .isEqualTo("1");
        assertThat(scalar("SELECT count(*) FROM shops WHERE shop_domain = '" + mainShop.domain() + "'")).isEqualTo("0");
    }

    @Test
    void aDataRequestExportsTheCustomersRowsFromEveryStoreAndNothingOfAnotherCustomer() throws Exception {
        long request = request(mainShop, "customers/data_request", TARGET, TARGET_EMAIL, List.of(TARGET_ORDER));

        List<ComplianceJob.Outcome> outcomes = job().run(Instant.now().plusSeconds(1));

        outcomes.forEach(outcome -> System.out.println(outcome.line()));
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.done()).as(outcome.line())
                .isTrue());
        String fileName = scalar("SELECT file_name FROM compliance_exports WHERE request_id = " + request);
        Path file = exports.resolve(mainShop.domain()).resolve(fileName);
        String text = Files.readString(file);
        JsonNode export = JSON.readTree(text);
        JsonNode stores = export.get("stores");
        assertThat(stores.get("postgres").fieldNames()).toIterable()
                .contains("consent", "sends", "suppressions", "email_events");
        List<String> landedTopics = new ArrayList<>();
        stores.get("landing").forEach(landed -> landed.forEach(line -> landedTopics.add(line.get("topic").asText())));
        assertThat(landedTopics).containsExactlyInAnyOrder("customers/create", "orders/create", "refunds/create",
                "customers/redact");
        assertThat(stores.get("iceberg").fieldNames()).toIterable().contains(lakehouse.customers(),
                lakehouse.orders(), lakehouse.orderLines(), lakehouse.refunds(), lakehouse.refundLines(),
                lakehouse.customerRfm());
        assertThat(stores.get("clickhouse").fieldNames()).toIterable().containsExactly("customer_rfm");
        assertThat(text).contains(TARGET_EMAIL).contains(String.valueOf(TARGET_ORDER))
                .doesNotContain(KEPT_EMAIL).doesNotContain(String.valueOf(KEPT)).doesNotContain(otherShop.domain());
        assertThat(scalar("SELECT count(*) FROM compliance_request_subjects")).isEqualTo("0");
        // Nothing was erased by an export.
        assertThat(postgresDump(mainShop)).contains(TARGET_EMAIL);

        assertThat(job().run(Instant.now().plusSeconds(1))).isEmpty();
        assertThat(scalar("SELECT count(*) FROM compliance_exports")).isEqualTo("1");
    }

    @Test
    void aFailedAttemptLeavesTheRequestPendingWithAReasonThatHoldsNoEmail() throws Exception {
        // A customer line in a landing file of today (still being appended to) cannot be rewritten yet.
        LandingZone today = new LandingZone(new LandingLayout(landingRoot), Clock.systemUTC());
        today.appendWebhook(LandingEnvelope.webhook(mainShop, "customers/update", "wh-today-" + RUN, Instant.now(),
                Optional.empty(), Optional.empty(), customerBody(TARGET, TARGET_EMAIL)));
        today.close();
        long request = request(mainShop, "customers/redact", TARGET, TARGET_EMAIL, List.of());

        List<ComplianceJob.Outcome> outcomes = job().run(Instant.now().plusSeconds(1));

        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.done()).isFalse());
        assertThat(scalar("SELECT status || ' ' || attempts FROM compliance_requests WHERE id = " + request))
                .isEqualTo("PENDING 1");
        assertThat(scalar("SELECT last_error FROM compliance_requests WHERE id = " + request))
                .contains("a day still being written").doesNotContain(TARGET_EMAIL);
        assertThat(scalar("SELECT count(*) FROM compliance_request_subjects")).isEqualTo("1");
    }

    private ComplianceJob job() {
        Clock clock = Clock.systemUTC();
        return new ComplianceJob(new ComplianceLedger(postgres), new PostgresStore(postgres),
                new LandingStore(new LandingLayout(landingRoot), clock), new IcebergStore(spark, lakehouse, clock),
                new ClickHouseStore(clickHouse), exports, clock);
    }

    private long request(ShopId shop, String topic, Long customer, String email, List<Long> orders) throws Exception {
        try (Connection connection = postgres.open();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO compliance_requests (shop_domain, "
                     + "webhook_id, topic, customer_id, order_ids, received_at, due_at) "
                     + "VALUES (?, ?, ?, ?, ?, now() - interval '1 hour', now() + interval '29 days') RETURNING id")) {
            insert.setString(1, shop.domain());
            insert.setString(2, "wh-" + UUID.randomUUID());
            insert.setString(3, topic);
            insert.setObject(4, customer);
            insert.setArray(5, connection.createArrayOf("bigint", orders.toArray()));
            long id;
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            if (email != null) {
                try (PreparedStatement subject = connection.prepareStatement(
                        "INSERT INTO compliance_request_subjects (request_id, email) VALUES (?, ?)")) {
                    subject.setLong(1, id);
                    subject.setString(2, email);
                    subject.executeUpdate();
                }
            }
            return id;
        }
    }

    private void seed() throws Exception {
        for (ShopId shop : List.of(mainShop, otherShop)) {
            exec("INSERT INTO shops (shop_domain, installed_at) VALUES ('" + shop.domain() + "', now())");
            exec("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) VALUES ('"
                    + shop.domain() + "', " + TARGET + ", '" + TARGET_EMAIL + "', 'SUBSCRIBED', now())");
        }
        exec("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) VALUES ('"
                + mainShop.domain() + "', " + KEPT + ", '" + KEPT_EMAIL + "', 'SUBSCRIBED', now())");
        exec("INSERT INTO sends (id, shop_domain, customer_id, email, trigger_key, idempotency_key, due_at, is_test) "
                + "VALUES (900001, '" + mainShop.domain() + "', " + TARGET + ", '" + TARGET_EMAIL
                + "', 't1', 'k1', now(), true)");
        exec("INSERT INTO email_events (shop_domain, send_id, kind) VALUES ('" + mainShop.domain() + "', 900001, 'open')");
        exec("INSERT INTO suppressions (shop_domain, email, reason) VALUES ('" + mainShop.domain() + "', '"
                + TARGET_EMAIL.toUpperCase() + "', 'unsubscribed')");

        LandingZone landing = new LandingZone(new LandingLayout(landingRoot),
                Clock.fixed(LANDED_AT, ZoneOffset.UTC));
        for (ShopId shop : List.of(mainShop, otherShop)) {
            land(landing, shop, "customers/create", customerBody(TARGET, TARGET_EMAIL));
            land(landing, shop, "orders/create", "{\"id\":" + TARGET_ORDER + ",\"updated_at\":\"2026-11-01T00:00:00Z\","
                    + "\"customer\":{\"id\":" + TARGET + "}}");
            land(landing, shop, "refunds/create", "{\"id\":77,\"order_id\":" + TARGET_ORDER + "}");
        }
        land(landing, mainShop, "customers/create", customerBody(KEPT, KEPT_EMAIL));
        land(landing, mainShop, "orders/create", "{\"id\":" + KEPT_ORDER + ",\"updated_at\":\"2026-11-01T00:00:00Z\","
                + "\"customer\":{\"id\":" + KEPT + "}}");
        // The compliance webhook itself carries the email: it goes with the customer.
        land(landing, mainShop, "customers/redact", "{\"shop_domain\":\"" + mainShop.domain() + "\",\"customer\":{\"id\":"
                + TARGET + ",\"email\":\"" + TARGET_EMAIL + "\"},\"orders_to_redact\":[" + TARGET_ORDER + "]}");
        landing.close();

        // Two commits per table, so the snapshot before the erasure and its data files hold the customer too.
        for (ShopId shop : List.of(mainShop, otherShop)) {
            String s = "'" + shop.domain() + "'";
            insert(lakehouse.customers(), Map.of("shop_id", s, "customer_id", String.valueOf(TARGET), "email",
                    "'" + TARGET_EMAIL + "'", "first_name", "'Tara'"));
        }
        String s = "'" + mainShop.domain() + "'";
        String o = "'" + otherShop.domain() + "'";
        insert(lakehouse.customers(), Map.of("shop_id", s, "customer_id", String.valueOf(KEPT), "email",
                "'" + KEPT_EMAIL + "'", "first_name", "'Kim'"));
        insert(lakehouse.orders(), List.of(
                Map.of("shop_id", s, "order_id", String.valueOf(TARGET_ORDER), "customer_id", String.valueOf(TARGET)),
                Map.of("shop_id", o, "order_id", String.valueOf(TARGET_ORDER), "customer_id", String.valueOf(TARGET)),
                Map.of("shop_id", s, "order_id", String.valueOf(KEPT_ORDER), "customer_id", String.valueOf(KEPT))));
        insert(lakehouse.orderLines(), List.of(
                Map.of("shop_id", s, "order_id", String.valueOf(TARGET_ORDER), "line_id", "1", "title", "'Hat'"),
                Map.of("shop_id", o, "order_id", String.valueOf(TARGET_ORDER), "line_id", "1", "title", "'Hat'"),
                Map.of("shop_id", s, "order_id", String.valueOf(KEPT_ORDER), "line_id", "2", "title", "'Scarf'")));
        // A refund of the target's order: found by customer (refunds) and by order (refund lines, no customer).
        insert(lakehouse.refunds(), List.of(
                Map.of("shop_id", s, "refund_id", "77", "order_id", String.valueOf(TARGET_ORDER), "customer_id",
                        String.valueOf(TARGET), "amount", "CAST(5.00 AS DECIMAL(18,2))"),
                Map.of("shop_id", o, "refund_id", "77", "order_id", String.valueOf(TARGET_ORDER), "customer_id",
                        String.valueOf(TARGET), "amount", "CAST(5.00 AS DECIMAL(18,2))")));
        insert(lakehouse.refundLines(), List.of(
                Map.of("shop_id", s, "refund_id", "77", "line_item_id", "1", "order_id", String.valueOf(TARGET_ORDER),
                        "quantity", "1"),
                Map.of("shop_id", o, "refund_id", "77", "line_item_id", "1", "order_id", String.valueOf(TARGET_ORDER),
                        "quantity", "1")));
        insert(lakehouse.customerRfm(), List.of(
                Map.of("shop_id", s, "as_of_date", "DATE'2026-11-28'", "customer_id", String.valueOf(TARGET),
                        "segment", "'CHAMPIONS'"),
                Map.of("shop_id", o, "as_of_date", "DATE'2026-11-28'", "customer_id", String.valueOf(TARGET),
                        "segment", "'CHAMPIONS'")));

        for (ShopId shop : List.of(mainShop, otherShop)) {
            clickHouse.forShop(shop).insertRows("customer_rfm", List.of(Map.of("publish_id", 1L, "as_of_date",
                    java.time.LocalDate.of(2026, 11, 28), "customer_id", TARGET, "segment", "CHAMPIONS")));
        }
        clickHouse.forShop(mainShop).insertRows("customer_rfm", List.of(Map.of("publish_id", 1L, "as_of_date",
                java.time.LocalDate.of(2026, 11, 28), "customer_id", KEPT, "segment", "LOYAL")));
    }

    private static void insert(String table, Map<String, String> values) {
        insert(table, List.of(values));
    }

    /** One commit of rows: each the given SQL values, every other column null. */
    private static void insert(String table, List<Map<String, String>> rows) {
        List<String> selects = new ArrayList<>();
        for (Map<String, String> values : rows) {
            List<String> select = new ArrayList<>();
            for (org.apache.spark.sql.types.StructField field : spark.table(table).schema().fields()) {
                select.add(values.containsKey(field.name()) ? values.get(field.name())
                        : "CAST(NULL AS " + field.dataType().sql() + ")");
            }
            selects.add("SELECT " + String.join(", ", select));
        }
        spark.sql("INSERT INTO " + table + " " + String.join(" UNION ALL ", selects));
    }

    private static String customerBody(long id, String email) {
        return "{\"id\":" + id + ",\"email\":\"" + email + "\",\"updated_at\":\"2026-11-01T00:00:00Z\"}";
    }

    private static void land(LandingZone landing, ShopId shop, String topic, String body) {
        landing.appendWebhook(LandingEnvelope.webhook(shop, topic, "wh-" + UUID.randomUUID(), LANDED_AT,
                Optional.empty(), Optional.empty(), body));
    }

    private void exec(String sql) throws Exception {
        try (Connection connection = postgres.open(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private String scalar(String sql) throws Exception {
        try (Connection connection = postgres.open(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Every row of every table of the test schema, as JSON lines, with the shop's rows kept. */
    private String postgresDump(ShopId shop) throws Exception {
        return dump(true).lines().filter(line -> line.contains(shop.domain()) || !line.contains("myshopify.com"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    /** Every row, except the compliance ledger that records (by design) which shop asked for what. */
    private String postgresDumpWithoutLedger() throws Exception {
        return dump(false);
    }

    private String dump(boolean withLedger) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection connection = postgres.open()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement list = connection.prepareStatement("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = ? AND table_type = 'BASE TABLE'")) {
                list.setString(1, schema);
                try (ResultSet rs = list.executeQuery()) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
            }
            for (String table : tables) {
                if (!withLedger && (table.equals("compliance_requests") || table.equals("compliance_audit"))) {
                    continue;
                }
                try (Statement statement = connection.createStatement();
                     ResultSet rs = statement.executeQuery("SELECT row_to_json(t)::text FROM \"" + table + "\" t")) {
                    while (rs.next()) {
                        out.append(table).append(' ').append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    private String landingText(ShopId shop) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(landingRoot)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (file.toString().contains("shop=" + shop.domain())) {
                    out.append(Files.readString(file));
                }
            }
        }
        return out.toString();
    }

    /**
     * Every file under the warehouse: data files read back with Spark (they are compressed), manifests decoded with
     * Avro, everything else (metadata JSON) as text. Only the rows and manifest entries that name {@code shop} are
     * kept: the other shop holds the same customer id and email.
     */
    private String warehouseText(ShopId shop) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(warehouse)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (!file.toString().contains(lakehouse.catalog()) && !file.toString().contains("/silver/")
                        && !file.toString().contains("/gold/")) {
                    continue;
                }
                if (name.endsWith(".parquet")) {
                    spark.read().parquet(file.toString()).toJSON().collectAsList().stream()
                            .filter(row -> row.contains(shop.domain())).forEach(row -> out.append(row).append('\n'));
                }
                else if (name.endsWith(".avro")) {
                    try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(),
                            new GenericDatumReader<>())) {
                        for (GenericRecord record : reader) {
                            // Manifest entries of the shop's partition (another shop may share an email).
                            if (record.toString().contains(shop.domain())) {
                                out.append(record).append('\n');
                            }
                        }
                    }
                }
                else if (!name.endsWith(".crc")) {
                    out.append(Files.readString(file, StandardCharsets.ISO_8859_1)).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** Rows of the shop (or that name it) in the lakehouse's tables that hold {@code needle}. */
    private List<String> lakehouseRows(String needle, String alsoNeedle) {
        List<String> rows = new ArrayList<>();
        for (IcebergTable table : IcebergDefinitions.all()) {
            spark.table(lakehouse.table(table.namespace(), table.name())).toJSON().collectAsList().stream()
                    .filter(row -> row.contains(needle) || row.contains(alsoNeedle)).sorted()
                    .forEach(rows::add);
        }
        return rows;
    }

    private String clickHouseDump(ShopId shop) {
        StringBuilder out = new StringBuilder();
        for (JsonNode table : clickHouse.admin().query("SELECT name FROM system.tables WHERE database = '"
                + chDatabase + "'")) {
            for (JsonNode row : clickHouse.admin().query("SELECT * FROM " + chDatabase + "."
                    + table.get("name").asText())) {
                String text = row.toString();
                if (text.contains(shop.domain())) {
                    out.append(text).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static void dropTables() {
        for (IcebergTable table : IcebergDefinitions.all()) {
            spark.sql("DROP TABLE IF EXISTS " + lakehouse.table(table.namespace(), table.name()) + " PURGE");
        }
    }
}
