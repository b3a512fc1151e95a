package com.ecomcrm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaMigratorTest {

    @Test
    void settingsDefaultToTheDevServers() {
        assertThat(PostgresTarget.fromEnv(Map.of())).isEqualTo(
                new PostgresTarget("jdbc:postgresql://127.0.0.1:55432/ecomcrm", "ecomcrm", "ecomcrm"));
        assertThat(ClickHouseTarget.fromEnv(Map.of())).isEqualTo(
                new ClickHouseTarget("http://127.0.0.1:58123", "ecomcrm", "default", ""));
    }

    @Test
    void settingsComeFromTheEnvironment() {
        ClickHouseTarget ch = ClickHouseTarget.fromEnv(Map.of("ECOMCRM_CH_URL", "http://ch:8123/",
                "ECOMCRM_CH_DATABASE", "crm", "ECOMCRM_CH_USER", "app", "ECOMCRM_CH_PASSWORD", "s3cret"));
        assertThat(ch).isEqualTo(new ClickHouseTarget("http://ch:8123", "crm", "app", "s3cret"));
        assertThat(ch.toString()).doesNotContain("s3cret");
        assertThat(ch.withDatabase("other").database()).isEqualTo("other");
        PostgresTarget pg = PostgresTarget.fromEnv(Map.of("ECOMCRM_PG_URL", "jdbc:postgresql://db/x",
                "ECOMCRM_PG_USER", "u", "ECOMCRM_PG_PASSWORD", "p4ss"));
        assertThat(pg).isEqualTo(new PostgresTarget("jdbc:postgresql://db/x", "u", "p4ss"));
        assertThat(pg.toString()).doesNotContain("p4ss");
    }

    @Test
    void databaseNamesThatWouldNeedQuotingAreRefused() {
        assertThatThrownBy(() -> ClickHouseTarget.fromEnv(Map.of()).withDatabase("x`; DROP"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Both real databases from the environment: a second run applies nothing. */
    @Test
    void migrateAllTwiceAppliesNothingTheSecondTime() {
        PostgresTarget pg = Servers.postgres();
        ClickHouseTarget ch = Servers.clickHouse();
        SchemaMigrator.migrateAll(pg, ch);

        SchemaMigrator.Result second = SchemaMigrator.migrateAll(pg, ch);

        assertThat(second.postgresApplied()).isZero();
        assertThat(second.clickHouseApplied()).isEmpty();
    }
}
