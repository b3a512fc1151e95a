package com.ecomcrm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClickHouseMigrationTest {

    @Test
    void shippedMigrationsAreListedInOrderAndReadable() {
        List<ClickHouseMigration> migrations = ClickHouseMigration.fromClasspath();

        assertThat(migrations).isNotEmpty();
        assertThat(migrations.get(0).fileName()).isEqualTo("V1__serving_tables.sql");
        assertThat(migrations.get(0).version()).isEqualTo(1);
        assertThat(migrations.get(0).checksum()).hasSize(64).matches("[0-9a-f]+");
        assertThat(migrations.get(0).statements()).hasSize(3)
                .allSatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS").doesNotContain(";"));
    }

    @Test
    void statementsAreSplitAtLineEndingSemicolonsAndCommentsDropped() {
        ClickHouseMigration m = ClickHouseMigration.of("V7__x.sql",
                "-- a comment; with a semicolon;\nCREATE TABLE a (x UInt8)\n  ENGINE = Memory;\n\n"
                        + "  -- another\nSELECT ';'  ;\nSELECT 2");

        assertThat(m.statements()).containsExactly("CREATE TABLE a (x UInt8)\n  ENGINE = Memory", "SELECT ';'",
                "SELECT 2");
    }

    @Test
    void checksumIsSha256OfTheBytes() {
        assertThat(ClickHouseMigration.of("V1__a.sql", "").checksum())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(ClickHouseMigration.of("V1__a.sql", "x").checksum())
                .isNotEqualTo(ClickHouseMigration.of("V1__a.sql", "x ").checksum());
    }

    @Test
    void badFileNamesAndOrderAreRefused() {
        assertThatThrownBy(() -> ClickHouseMigration.of("1_serving.sql", "SELECT 1"))
                .isInstanceOf(MigrationException.class).hasMessageContaining("1_serving.sql");
        List<ClickHouseMigration> outOfOrder = List.of(ClickHouseMigration.of("V2__b.sql", "SELECT 1"),
                ClickHouseMigration.of("V1__a.sql", "SELECT 1"));
        assertThatThrownBy(() -> ClickHouseMigration.checkOrder(outOfOrder))
                .isInstanceOf(MigrationException.class).hasMessageContaining("V1__a.sql");
    }

    @Test
    void literalsEscapeQuoteAndBackslash() {
        assertThat(ClickHouseHttp.literal("it's a \\ test")).isEqualTo("'it\\'s a \\\\ test'");
        assertThat(ClickHouseHttp.literal("")).isEqualTo("''");
    }
}
