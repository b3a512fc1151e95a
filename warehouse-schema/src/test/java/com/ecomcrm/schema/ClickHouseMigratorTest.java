package com.ecomcrm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real ClickHouse, in a throwaway database {@code ecomcrm_test_<random>} dropped afterwards. */
class ClickHouseMigratorTest {
    private ClickHouseTarget target;

    @BeforeEach
    void throwawayDatabase() {
        target = Servers.clickHouse().withDatabase(Servers.throwawayName());
    }

    @AfterEach
    void dropDatabase() {
        if (target != null) {
            new ClickHouseHttp(target).executeOnServer("DROP DATABASE IF EXISTS `" + target.database() + "`");
        }
    }

    @Test
    void migratingTwiceAppliesNothingTheSecondTime() {
        List<ClickHouseMigration> shipped = ClickHouseMigration.fromClasspath();
        List<Integer> allVersions = shipped.stream().map(ClickHouseMigration::version).toList();

        assertThat(new ClickHouseMigrator(target).migrate()).isEqualTo(allVersions);
        assertThat(new ClickHouseMigrator(target).migrate()).isEmpty();

        List<ClickHouseMigrator.AppliedMigration> ledger = new ClickHouseMigrator(target).applied();
        assertThat(ledger).hasSize(shipped.size());
        assertThat(ledger.get(0).version()).isEqualTo(1);
        assertThat(ledger.get(0).name()).isEqualTo("V1__serving_tables.sql");
        assertThat(ledger.get(0).checksum()).isEqualTo(shipped.get(0).checksum());
        assertThat(ledger.get(0).appliedAt()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");

        List<String> tables = new ClickHouseHttp(target).query("SELECT name FROM system.tables WHERE database = "
                + ClickHouseHttp.literal(target.database()) + " ORDER BY name").stream()
                .map(row -> row.get("name").asText()).toList();
        assertThat(tables).containsExactly("customer_orders", "customer_predictions", "customer_rfm",
                "customer_segment_history", "customer_segment_timeline", "customer_segment_timeline_feed",
                "email_performance", "schema_migrations", "segment_history_dates", "segment_overview",
                "segment_summary", "segment_transitions", "shop_daily_kpis", "shop_insights", "shop_model_fits", "shop_publications");
    }

    @Test
    void aNewVersionIsAppliedAloneAfterTheOnesBefore() {
        new ClickHouseMigrator(target).migrate();
        List<ClickHouseMigration> withNext = new ArrayList<>(ClickHouseMigration.fromClasspath());
        int next = withNext.get(withNext.size() - 1).version() + 1;
        withNext.add(ClickHouseMigration.of("V" + next + "__probe.sql",
                "-- it's a test\nCREATE TABLE IF NOT EXISTS probe (shop_id String, n UInt8)\n"
                        + "ENGINE = MergeTree ORDER BY (shop_id, n);\n"));

        assertThat(new ClickHouseMigrator(target, withNext).migrate()).containsExactly(next);
        assertThat(new ClickHouseMigrator(target, withNext).migrate()).isEmpty();
        assertThat(new ClickHouseMigrator(target, withNext).applied()).extracting(a -> a.name())
                .endsWith("V" + next + "__probe.sql");
    }

    @Test
    void aChangedAppliedMigrationIsRefusedNamingTheFile() {
        new ClickHouseMigrator(target).migrate();
        List<ClickHouseMigration> changed = new ArrayList<>(ClickHouseMigration.fromClasspath());
        ClickHouseMigration first = changed.get(0);
        changed.set(0, ClickHouseMigration.of(first.fileName(), first.sql() + "\n-- edited after it was applied\n"));

        assertThatThrownBy(() -> new ClickHouseMigrator(target, changed).migrate())
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("V1__serving_tables.sql")
                .hasMessageContaining("changed after it was applied")
                .hasMessageContaining(first.checksum());
    }

    @Test
    void aFailingStatementStopsTheRunAndRecordsNothingForThatVersion() {
        List<ClickHouseMigration> broken = List.of(
                ClickHouseMigration.of("V1__ok.sql", "CREATE TABLE IF NOT EXISTS ok (shop_id String) "
                        + "ENGINE = MergeTree ORDER BY (shop_id);"),
                ClickHouseMigration.of("V2__broken.sql", "CREATE TABLE IF NOT EXIST nonsense;"));

        assertThatThrownBy(() -> new ClickHouseMigrator(target, broken).migrate())
                .isInstanceOf(MigrationException.class).hasMessageContaining("V2__broken.sql");
        assertThat(new ClickHouseMigrator(target, broken).applied()).extracting(a -> a.version()).containsExactly(1);
    }

    @Test
    void aMissingVersionBelowAnAppliedOneIsRefused() {
        List<ClickHouseMigration> oneAndThree = List.of(
                ClickHouseMigration.of("V1__a.sql", "SELECT 1;"), ClickHouseMigration.of("V3__c.sql", "SELECT 3;"));
        new ClickHouseMigrator(target, oneAndThree).migrate();
        List<ClickHouseMigration> withTwo = List.of(oneAndThree.get(0), ClickHouseMigration.of("V2__b.sql",
                "SELECT 2;"), oneAndThree.get(1));

        assertThatThrownBy(() -> new ClickHouseMigrator(target, withTwo).migrate())
                .isInstanceOf(MigrationException.class).hasMessageContaining("V2__b.sql");
    }
}
