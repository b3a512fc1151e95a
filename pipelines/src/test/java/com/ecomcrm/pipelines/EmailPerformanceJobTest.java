package com.ecomcrm.pipelines;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static com.ecomcrm.pipelines.EmailEngineRows.event;
import static com.ecomcrm.pipelines.EmailEngineRows.flow;
import static com.ecomcrm.pipelines.EmailEngineRows.send;
import static com.ecomcrm.pipelines.EmailEngineRows.template;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sends and events written to a fresh PostgreSQL schema as the email engine and the tracking routes write them,
 * orders in silver, then the email_performance stage: the silver copies (no addresses, no test sends), the
 * hand-computed gold rows, the shop's own attribution windows, a re-run, and shop isolation.
 */
class EmailPerformanceJobTest {
    private static final String A = "alpha-email.myshopify.com";
    private static final String B = "beta-email.myshopify.com";
    private static final LocalDate D = LocalDate.of(2026, 11, 5);
    private static final Instant UPDATED = Instant.parse("2026-11-05T12:00:00Z");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    static TestPostgresSchema postgres;
    static PipelineSettings settings;
    private static long nextOrderId = 500;

    @BeforeAll
    static void start() throws SQLException {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
        postgres = TestPostgresSchema.create();
        settings = postgres.settings(temp.resolve("warehouse"));
        fixtures();
    }

    @AfterAll
    static void stop() throws SQLException {
        if (postgres != null) {
            postgres.close();
        }
        if (lake != null) {
            lake.close();
        }
    }

    private static Connection pg() throws SQLException {
        return postgres.connect();
    }

    private static OrderRow order(String shop, long customer, String processedAt, String total, String refunded) {
        long id = nextOrderId++;
        return new OrderRow(shop, id, customer, "#" + id, Instant.parse(processedAt), Instant.parse(processedAt),
                UPDATED, null, "PAID", "EUR", new BigDecimal(total), new BigDecimal(refunded), false, "bulk/orders",
                UPDATED);
    }


    /**
     * Shop A: a welcome flow (template "Welcome") and a win-back flow (template "Win back").
     * <ul>
     *   <li>Nov 2, welcome: customer 1 opens twice and clicks; customer 2's email is fetched by a privacy proxy
     *       only; customer 3's bounces; a skipped send and a test send of the template to customer 1 count nowhere.</li>
     *   <li>Nov 3, win-back: customer 1 opens and unsubscribes; customer 4 opens.</li>
     *   <li>Orders: customer 1 on Nov 1 (before any email), Nov 3 (100.00, 20.00 refunded) and Nov 4 (30.00): both
     *       credited to the welcome click (a click in its window beats the later win-back open); customer 2 on Nov 3
     *       (a machine open earns nothing); customer 4 on Nov 4 (50.00, to the win-back open); customer 1 on Nov 9
     *       (after the logical date).</li>
     * </ul>
     * Shop B: the same customer ids, a click 25 hours before an order, but windows of 1 day: nothing credited.
     */
    private static void fixtures() throws SQLException {
        try (Connection c = pg()) {
            long welcomeTemplate = template(c, A, "Welcome");
            long winBackTemplate = template(c, A, "Win back");
            long welcome = flow(c, A, "welcome", welcomeTemplate);
            long winBack = flow(c, A, "win_back", winBackTemplate);
            long s1 = send(c, A, welcome, welcomeTemplate, 1, "SENT", "2026-11-02T10:00:00Z", false);
            long s2 = send(c, A, welcome, welcomeTemplate, 2, "SENT", "2026-11-02T10:00:00Z", false);
            long s3 = send(c, A, welcome, welcomeTemplate, 3, "SENT", "2026-11-02T10:00:00Z", false);
            send(c, A, welcome, welcomeTemplate, 5, "SKIPPED", null, false);
            long test = send(c, A, null, welcomeTemplate, 1, "SENT", "2026-11-02T10:00:00Z", true);
            long s4 = send(c, A, winBack, winBackTemplate, 1, "SENT", "2026-11-03T09:00:00Z", false);
            long s7 = send(c, A, winBack, winBackTemplate, 4, "SENT", "2026-11-03T09:00:00Z", false);
            event(c, A, s1, "open", "2026-11-02T11:00:00Z", null);
            event(c, A, s1, "open", "2026-11-02T11:05:00Z", null);
            event(c, A, s1, "click", "2026-11-02T11:10:00Z", null);
            event(c, A, s2, "open", "2026-11-02T10:01:00Z", "privacy_proxy");
            event(c, A, s3, "bounce", "2026-11-02T10:02:00Z", null);
            event(c, A, test, "click", "2026-11-02T10:03:00Z", null);
            event(c, A, s4, "open", "2026-11-03T12:00:00Z", null);
            event(c, A, s4, "unsubscribe", "2026-11-03T12:05:00Z", null);
            event(c, A, s7, "open", "2026-11-03T10:00:00Z", null);

            long bTemplate = template(c, B, "Welcome");
            long bWelcome = flow(c, B, "welcome", bTemplate);
            long b1 = send(c, B, bWelcome, bTemplate, 1, "SENT", "2026-11-02T10:00:00Z", false);
            event(c, B, b1, "click", "2026-11-02T11:00:00Z", null);
            // The settings engineer's V9 columns, as they will be (added here if this database predates V9).
            c.createStatement().execute("ALTER TABLE shop_email_settings"
                    + " ADD COLUMN IF NOT EXISTS attribution_click_days integer NOT NULL DEFAULT 5,"
                    + " ADD COLUMN IF NOT EXISTS attribution_open_days integer NOT NULL DEFAULT 5");
            c.createStatement().execute("INSERT INTO shop_email_settings (shop_domain, attribution_click_days,"
                    + " attribution_open_days) VALUES ('" + B + "', 1, 1)");
        }
        lake.append(lake.lakehouse.orders(), List.of(
                order(A, 1, "2026-11-01T09:00:00Z", "70.00", "0.00"),
                order(A, 1, "2026-11-03T13:00:00Z", "100.00", "20.00"),
                order(A, 1, "2026-11-04T13:00:00Z", "30.00", "0.00"),
                order(A, 2, "2026-11-03T13:00:00Z", "45.00", "0.00"),
                order(A, 4, "2026-11-04T09:00:00Z", "50.00", "0.00"),
                order(A, 1, "2026-11-09T09:00:00Z", "999.00", "0.00"),
                order(B, 1, "2026-11-03T12:00:00Z", "80.00", "0.00"))); // 25 hours after the click
    }

    /** "day flow template-name sent delivered bounced opens machine clicks unsubscribes orders revenue rates". */
    private static List<String> performance(String shop) {
        return lake.spark.table(lake.lakehouse.emailPerformance()).where("shop_id = '" + shop + "'")
                .orderBy("send_date", "flow_kind").collectAsList().stream()
                .map(r -> Stream.of("send_date", "flow_kind", "sent", "delivered", "bounced", "unique_opens",
                                "machine_opens", "unique_clicks", "unsubscribes", "orders", "revenue", "open_rate",
                                "click_rate")
                        .map(col -> String.valueOf((Object) r.getAs(col)))
                        .reduce((x, y) -> x + " " + y).orElseThrow())
                .toList();
    }

    @Test
    void computesHandComputedPerformanceWithLastTouchAttribution() {
        EmailPerformanceJob.Result result = EmailPerformanceJob.run(lake.spark, lake.lakehouse, settings, D);

        List<String> expectedA = List.of(
                "2026-11-02 welcome 3 2 1 1 1 1 0 2 110.00 0.5000 0.5000",
                "2026-11-03 win_back 2 2 0 2 0 0 1 1 50.00 1.0000 0.0000");
        assertThat(performance(A)).containsExactlyElementsOf(expectedA);
        assertThat(performance(B)).containsExactly("2026-11-02 welcome 1 1 0 1 0 1 0 0 0.00 1.0000 1.0000");
        assertThat(result.shops()).isEqualTo(2);
        assertThat(result.rows()).isEqualTo(3);
        assertThat(result.sent()).isEqualTo(6);
        assertThat(result.attributedOrders()).isEqualTo(3);

        // Silver holds ids, not addresses, and no test send.
        assertThat(Arrays.asList(lake.spark.table(lake.lakehouse.emailSends()).columns()))
                .doesNotContain("email").contains("send_id", "customer_id", "flow_kind");
        assertThat(Arrays.asList(lake.spark.table(lake.lakehouse.emailEvents()).columns()))
                .doesNotContain("ip", "user_agent", "url");
        assertThat(lake.spark.table(lake.lakehouse.emailSends()).where("shop_id = '" + A + "'").count())
                .isEqualTo(6);
        assertThat(result.sendsLoaded()).isEqualTo(7);
        assertThat(result.eventsLoaded()).isEqualTo(9);

        // A re-run of the night changes nothing.
        List<String> gold = lake.contents(lake.lakehouse.emailPerformance());
        List<String> silver = lake.contents(lake.lakehouse.emailEvents());
        EmailPerformanceJob.run(lake.spark, lake.lakehouse, settings, D);
        assertThat(lake.contents(lake.lakehouse.emailPerformance())).isEqualTo(gold);
        assertThat(lake.contents(lake.lakehouse.emailEvents())).isEqualTo(silver);
    }
}
