package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NightlyPipelineTest {
    @TempDir
    Path temp;

    @Test
    void dateIsRequiredAndParsed() {
        Path landing = Path.of("var/landing");
        assertThatThrownBy(() -> NightlyPipeline.Arguments.parse(new String[0], landing))
                .hasMessageContaining("--date");
        assertThatThrownBy(() -> NightlyPipeline.Arguments.parse(new String[]{"--date", "28/11/2026"}, landing))
                .hasMessageContaining("28/11/2026");
        assertThatThrownBy(() -> NightlyPipeline.Arguments.parse(new String[]{"--date"}, landing))
                .hasMessageContaining("--date");
        assertThatThrownBy(() -> NightlyPipeline.Arguments.parse(new String[]{"--dry-run"}, landing))
                .hasMessageContaining("--dry-run");
        var parsed = NightlyPipeline.Arguments.parse(new String[]{"--landing", "/x", "--date", "2026-11-28"}, landing);
        assertThat(parsed.date()).isEqualTo(LocalDate.of(2026, 11, 28));
        assertThat(parsed.landing()).isEqualTo(Path.of("/x"));
    }

    @Test
    void stagesCanBeNamedOneByOneOrAsAListAndRunInTheirFixedOrder() {
        Path landing = Path.of("/landing");
        assertThat(NightlyPipeline.Arguments.parse(new String[]{"--date", "2026-11-28"}, landing).stages())
                .containsExactlyElementsOf(NightlyPipeline.STAGES);
        assertThat(NightlyPipeline.Arguments.parse(
                new String[]{"--date", "2026-11-28", "--stage", "rfm", "--stage", "ingest"}, landing).stages())
                .containsExactlyInAnyOrder("ingest", "rfm");
        assertThat(NightlyPipeline.Arguments.parse(
                new String[]{"--date", "2026-11-28", "--stage", "kpis,publish"}, landing).stages())
                .containsExactlyInAnyOrder("kpis", "publish");
        assertThatThrownBy(() -> NightlyPipeline.Arguments.parse(
                new String[]{"--date", "2026-11-28", "--stage", "forecasts"}, landing))
                .hasMessage("--stage 'forecasts' is not a stage; the stages are " + NightlyPipeline.STAGES);
    }

    @Test
    void runsEveryStageFromLandingToClickHouse() throws Exception {
        TestLakehouse.assumeServers();
        ShopId shop = ShopId.of("nightly-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com");
        Path landing = temp.resolve("landing");
        Instant at = Instant.parse("2026-11-28T09:00:00Z");
        try (LandingZone zone = new LandingZone(new LandingLayout(landing), Clock.fixed(at, ZoneOffset.UTC))) {
            zone.appendWebhook(LandingEnvelope.webhook(shop, "customers/create", "w1", at, Optional.empty(),
                    Optional.empty(), "{\"id\":1,\"email\":\"a@example.com\",\"updated_at\":\"2026-11-01T00:00:00Z\"}"));
            zone.appendWebhook(LandingEnvelope.webhook(shop, "customers/create", "w2", at, Optional.empty(),
                    Optional.empty(), "{\"id\":2,\"email\":\"b@example.com\",\"updated_at\":\"2026-11-01T00:00:00Z\"}"));
            zone.appendWebhook(LandingEnvelope.webhook(shop, "orders/create", "w3", at, Optional.empty(),
                    Optional.empty(), "{\"id\":10,\"customer\":{\"id\":1},\"processed_at\":\"2026-11-20T00:00:00Z\","
                            + "\"updated_at\":\"2026-11-20T00:00:00Z\",\"total_price\":\"12.34\",\"currency\":\"EUR\"}"));
        }
        Path warehouse = temp.resolve("warehouse");
        Lakehouse lakehouse = TestLakehouse.uniqueLakehouse();
        PipelineSettings settings = PipelineSettings.fromEnvironment().withWarehouseDir(warehouse)
                .withLandingDir(landing);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ClickHouseGateway gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            try {
                int status = NightlyPipeline.run(settings, lakehouse, LocalDate.of(2026, 11, 28),
                        new PrintStream(out, true, StandardCharsets.UTF_8));

                assertThat(status).isZero();
                String printed = out.toString(StandardCharsets.UTF_8);
                // The run is on record for the on-call operator: how it ended and every stage with its counts.
                try (java.sql.Connection pg = java.sql.DriverManager.getConnection(settings.pgUrl(),
                        settings.pgUser(), settings.pgPassword());
                     java.sql.ResultSet row = pg.createStatement().executeQuery("SELECT status,"
                             + " finished_at IS NOT NULL AS finished, detail->'stages'->-1->>'stage' AS last_stage,"
                             + " detail->'stages'->-1->'metrics'->>'customers' AS published FROM pipeline_runs"
                             + " WHERE as_of_date = DATE '2026-11-28' AND detail->>'lakehouse' = '" + lakehouse.catalog() + "'"
                             + " ORDER BY id DESC LIMIT 1")) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getString("status")).isEqualTo("SUCCEEDED");
                    assertThat(row.getBoolean("finished")).isTrue();
                    assertThat(row.getString("last_stage")).isEqualTo("publish");
                    assertThat(row.getString("published")).isEqualTo("2");
                }
                assertThat(printed).contains("ingest", "rfm", "predictions", "transitions", "kpis", "publish", "total", "succeeded");
                // One machine-readable line per stage, for the benchmark driver.
                assertThat(printed.lines().filter(l -> l.startsWith("NIGHTLY ")).map(l -> l.split(" ")[1]))
                        .containsExactly("stage=migrate", "stage=spark", "stage=tables", "stage=ingest", "stage=rfm",
                                "stage=predictions", "stage=transitions", "stage=kpis", "stage=email_performance",
                                "stage=insights", "stage=publish", "stage=total");
                // Sends and events come from the shared PostgreSQL schema (other tests write there): counts vary.
                assertThat(printed).containsPattern("(?m)^NIGHTLY stage=email_performance seconds=\\S+ status=ok"
                                + " sends_in=\\d+ events_in=\\d+ read=(all|changed) shops=\\d+ rows_out=\\d+ sent=\\d+ attributed_orders=\\d+$")
                        .containsPattern("(?m)^NIGHTLY stage=insights seconds=\\S+ status=ok shops=1"
                                + " shops_with_insights=[01] rows_out=\\d+$");
                assertThat(printed).containsPattern("(?m)^NIGHTLY stage=ingest seconds=\\d+\\.\\d{3} status=ok .*rows_in=3 ")
                        .containsPattern("(?m)^NIGHTLY stage=rfm seconds=\\S+ status=ok shops=1 buyers=1 prospects=1 rows_out=2$")
                        .containsPattern("(?m)^NIGHTLY stage=kpis seconds=\\S+ status=ok shops=1 rows_out=9 orders=1$")
                        .containsPattern("(?m)^NIGHTLY stage=publish seconds=\\S+ status=ok shops=1 customers=2 .*kpi_days=9 ");
                ShopScope scope = gateway.forShop(shop);
                long publication = scope.currentPublication();
                assertThat(publication).isPositive();
                assertThat(scope.select(SqlTemplate.of("SELECT customer_id, segment, monetary_cents FROM customer_rfm"
                                + " WHERE shop_id = {shop} AND publish_id = {p} ORDER BY customer_id")
                        .bind("p", publication)))
                        .extracting(n -> n.get("customer_id").asLong() + " " + n.get("segment").asText() + " "
                                + n.get("monetary_cents").asLong())
                        .containsExactly("1 DORMANT 1234", "2 PROSPECTS 0");
                assertThat(scope.select(SqlTemplate.of("SELECT count() AS n, sum(orders) AS o, sum(revenue_cents) AS r"
                                + " FROM shop_daily_kpis WHERE shop_id = {shop} AND publish_id = {p}")
                        .bind("p", publication)))
                        .extracting(n -> n.get("n").asLong() + " " + n.get("o").asLong() + " " + n.get("r").asLong())
                        .containsExactly("9 1 1234");
                // A one-buyer shop still gets predictions (from the pooled prior), the prospect none.
                assertThat(printed).containsPattern("(?m)^NIGHTLY stage=predictions seconds=\\S+ status=ok shops=1 .*buyers=1 prospects=1 rows_out=2 model_errors=0 ");
                assertThat(scope.select(SqlTemplate.of("SELECT customer_id, prediction_status, clv_12m_cents > 0 AS"
                                + " positive FROM customer_predictions WHERE shop_id = {shop} AND publish_id = {p}"
                                + " ORDER BY customer_id").bind("p", publication)))
                        .extracting(n -> n.get("customer_id").asLong() + " " + n.get("prediction_status").asText()
                                + " " + n.get("positive").asText())
                        .containsExactly("1 PREDICTED 1", "2 NO_ORDERS null");
                assertThat(scope.select(SqlTemplate.of("SELECT status FROM shop_model_fits WHERE shop_id = {shop}"
                                + " AND publish_id = {p}").bind("p", publication)))
                        .extracting(n -> n.get("status").asText()).containsExactly("BLENDED");
            }
            finally {
                for (String table : List.of("customer_rfm", "segment_summary", "segment_transitions",
                        "shop_daily_kpis", "customer_segment_history", "segment_history_dates", "customer_predictions",
                        "shop_model_fits", "shop_publications")) {
                    gateway.forShop(shop).execute(
                            SqlTemplate.of("ALTER TABLE " + table + " DELETE WHERE shop_id = {shop}"));
                }
                // The pipeline stopped its Spark session; a new one drops the test catalog's tables.
                TestLakehouse.open(warehouse, lakehouse).close();
            }
        }
    }
}
