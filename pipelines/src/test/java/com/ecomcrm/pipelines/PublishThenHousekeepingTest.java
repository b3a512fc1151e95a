package com.ecomcrm.pipelines;

import com.ecomcrm.clickhouse.AdminClickHouse;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlLiterals;
import com.ecomcrm.pipelines.maintenance.ClickHouseHousekeeping;
import com.ecomcrm.schema.ClickHouseMigrator;
import com.ecomcrm.schema.ClickHouseTarget;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The weekly ClickHouse housekeeping after real publishes (two dates, two shops, in a fresh database): what readers
 * see, and the history slices of both dates (the first under a publication that is superseded by now), stay exactly
 * as they were, and the housekeeping finds nothing the publishes left behind.
 */
class PublishThenHousekeepingTest {
    private static final LocalDate FIRST = LocalDate.of(2026, 11, 27);
    private static final LocalDate SECOND = LocalDate.of(2026, 11, 28);
    private static final String SHOP = "hk-" + suffix() + ".myshopify.com";
    private static final String OTHER = "hk-" + suffix() + ".myshopify.com";
    private static final List<String> ALL_TABLES = List.of("customer_rfm", "segment_summary", "segment_overview",
            "segment_transitions", "shop_daily_kpis", "customer_predictions", "shop_model_fits", "email_performance",
            "shop_insights", "customer_orders", "shop_publications", "customer_segment_history",
            "segment_history_dates");

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    static String database;
    static ClickHouseGateway gateway;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
        database = "hk_publish_" + suffix();
        new ClickHouseMigrator(ClickHouseTarget.fromEnv().withDatabase(database)).migrate();
        gateway = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment().withDatabase(database));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.admin().execute("DROP DATABASE IF EXISTS " + SqlLiterals.identifier(database));
            gateway.close();
        }
        if (lake != null) {
            lake.close();
        }
    }

    @Test
    void afterRealPublishesItRemovesNothingReadersOrHistoryNeed() throws Exception {
        var schema = lake.spark.table(lake.lakehouse.customerRfm()).schema();
        lake.spark.createDataFrame(List.of(
                rfm(SHOP, FIRST, 1, "200.00", "LOYAL"), rfm(SHOP, FIRST, 2, "10.00", "DORMANT"),
                rfm(OTHER, FIRST, 1, "5.00", "DORMANT"),
                rfm(SHOP, SECOND, 1, "250.00", "CHAMPIONS"), rfm(SHOP, SECOND, 2, "10.00", "AT_RISK"),
                rfm(OTHER, SECOND, 1, "5.00", "DORMANT")), schema).writeTo(lake.lakehouse.customerRfm()).append();
        PublishJob.run(lake.spark, lake.lakehouse, gateway, FIRST,
                Clock.fixed(Instant.parse("2026-11-28T02:00:00Z"), ZoneOffset.UTC));
        PublishJob.run(lake.spark, lake.lakehouse, gateway, SECOND,
                Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC));
        AdminClickHouse admin = gateway.admin();
        awaitMutationsDone(admin);
        List<String> before = everyRow(admin);
        assertThat(before).anyMatch(row -> row.startsWith("segment_history_dates ")
                && row.contains("\"as_of_date\":\"" + FIRST + "\""));

        // The maintenance of a week later: every publication is long past the safe age.
        ClickHouseHousekeeping.Result result = new ClickHouseHousekeeping(admin,
                Clock.fixed(Instant.parse("2026-12-07T00:00:00Z"), ZoneOffset.UTC)).run(Duration.ofHours(24));
        awaitMutationsDone(admin);

        assertThat(result.supersededRows()).isZero();
        assertThat(result.orphanRows()).isZero();
        assertThat(result.mutations()).isZero();
        assertThat(everyRow(admin)).isEqualTo(before);
    }

    /** Every row of every table keyed by publication, all columns, sorted. */
    private static List<String> everyRow(AdminClickHouse admin) {
        List<String> rows = new ArrayList<>();
        for (String table : ALL_TABLES) {
            for (JsonNode row : admin.query("SELECT * FROM " + table)) {
                rows.add(table + " " + row);
            }
        }
        rows.sort(String::compareTo);
        return rows;
    }

    private static void awaitMutationsDone(AdminClickHouse admin) {
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.query("SELECT mutation_id FROM system.mutations"
                + " WHERE database = currentDatabase() AND is_done = 0").isEmpty());
    }

    private static Row rfm(String shop, LocalDate date, long customer, String monetary, String segment) {
        return RowFactory.create(shop, Date.valueOf(date), customer, 1, 1, new BigDecimal(monetary), 3, 3, 3, segment);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }
}
