package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ShopScope against the real ClickHouse: tenant isolation of reads and writes, and the publication pointer. */
@Tag(TestClickHouse.TAG)
class ShopScopeTest {
    private static final ShopId ACME = ShopId.of("acme-" + suffix() + ".myshopify.com");
    private static final ShopId GLOBEX = ShopId.of("globex-" + suffix() + ".myshopify.com");

    private ClickHouseGateway gateway;
    private String table;
    private boolean createdPublications;

    @BeforeEach
    void createTable() {
        gateway = TestClickHouse.gatewayOrSkip();
        table = "test_gateway_" + suffix();
        gateway.admin().execute("CREATE TABLE " + table + " (shop_id String, customer_id UInt64, email String,"
                + " as_of_date Date, updated_at DateTime, monetary_cents Int64, segment String)"
                + " ENGINE = MergeTree ORDER BY (shop_id, customer_id)");
        // shop_publications belongs to the schema (warehouse-schema); create it only on a server that lacks it,
        // and then drop it afterwards so a later migration run finds the database as it was.
        createdPublications = gateway.admin().query("SELECT count() AS n FROM system.tables"
                + " WHERE database = currentDatabase() AND name = 'shop_publications'").get(0).get("n").asLong() == 0;
        gateway.admin().execute("CREATE TABLE IF NOT EXISTS shop_publications (shop_id String, publish_id UInt64,"
                + " as_of_date Date, published_at DateTime, customers UInt64)"
                + " ENGINE = ReplacingMergeTree ORDER BY (shop_id, publish_id)");
    }

    @AfterEach
    void dropTable() {
        if (gateway != null) {
            try {
                gateway.admin().execute("DROP TABLE IF EXISTS " + table);
                if (createdPublications) {
                    gateway.admin().execute("DROP TABLE IF EXISTS shop_publications");
                } else {
                    // A real schema owns the table: remove only this test's (randomly named) shops.
                    for (ShopId shop : List.of(ACME, GLOBEX)) {
                        gateway.forShop(shop).execute(
                                SqlTemplate.of("ALTER TABLE shop_publications DELETE WHERE shop_id = {shop}"));
                    }
                }
            } finally {
                gateway.close();
            }
        }
    }

    @Test
    void eachScopeReadsOnlyTheRowsItWrote() {
        ShopScope acme = gateway.forShop(ACME);
        ShopScope globex = gateway.forShop(GLOBEX);
        acme.insertRows(table, List.of(row(1, "a1@example.com", 1_000), row(2, "O'Hara\\\n😀", -250)));
        globex.insertRows(table, List.of(row(1, "g1@example.com", 99)));

        SqlTemplate all = SqlTemplate.of("SELECT customer_id, email, as_of_date, monetary_cents FROM {table}"
                + " WHERE shop_id = {shop} ORDER BY customer_id").bindIdentifier("table", table);
        List<JsonNode> acmeRows = acme.select(all);
        List<JsonNode> globexRows = globex.select(all);

        assertThat(acmeRows).extracting(r -> r.get("email").asText()).containsExactly("a1@example.com", "O'Hara\\\n😀");
        assertThat(acmeRows.get(1).get("monetary_cents").isNumber()).isTrue();
        assertThat(acmeRows.get(1).get("monetary_cents").asLong()).isEqualTo(-250);
        assertThat(acmeRows.get(0).get("as_of_date").asText()).isEqualTo("2024-03-31");
        assertThat(globexRows).extracting(r -> r.get("email").asText()).containsExactly("g1@example.com");
    }

    @Test
    void boundValuesFilterWithinTheShop() {
        ShopScope acme = gateway.forShop(ACME);
        acme.insertRows(table, List.of(row(1, "'; DROP TABLE x; --", 1), row(2, "b@example.com", 2)));
        List<JsonNode> rows = acme.select(SqlTemplate.of("SELECT customer_id, toUnixTimestamp(updated_at) AS t FROM {table}"
                        + " WHERE shop_id = {shop} AND email = {email} AND as_of_date = {d}")
                .bindIdentifier("table", table)
                .bind("email", "'; DROP TABLE x; --")
                .bind("d", LocalDate.of(2024, 3, 31)));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("customer_id").asLong()).isEqualTo(1);
        assertThat(rows.get(0).get("t").asLong()).isEqualTo(1_711_843_200L);
    }

    @Test
    void insertingARowForAnotherShopThrowsAndWritesNothing() {
        Map<String, Object> foreign = row(9, "x@example.com", 1);
        foreign.put("shop_id", GLOBEX.domain());
        assertThatThrownBy(() -> gateway.forShop(ACME).insertRows(table, List.of(row(1, "a@example.com", 1), foreign)))
                .isInstanceOf(DomainException.class)
                .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThat(gateway.admin().query("SELECT count() AS n FROM " + table).get(0).get("n").asLong()).isZero();
    }

    @Test
    void currentPublicationIsZeroForAShopThatNeverPublishedAndTheMaxAfterwards() {
        ShopScope acme = gateway.forShop(ACME);
        assertThat(acme.currentPublication()).isZero();

        for (long id : List.of(5L, 12L, 7L)) {
            Map<String, Object> pub = new LinkedHashMap<>();
            pub.put("publish_id", id);
            pub.put("as_of_date", LocalDate.of(2024, 3, 31));
            pub.put("published_at", Instant.parse("2024-04-01T02:00:00Z"));
            pub.put("customers", 2);
            acme.insertRows("shop_publications", List.of(pub));
        }
        assertThat(acme.currentPublication()).isEqualTo(12);
        assertThat(gateway.forShop(GLOBEX).currentPublication()).isZero();
    }

    @Test
    void aServerErrorCarriesTheServersMessage() {
        assertThatThrownBy(() -> gateway.forShop(ACME).select(
                SqlTemplate.of("SELECT no_such_column FROM {table} WHERE shop_id = {shop}").bindIdentifier("table", table)))
                .isInstanceOf(DomainException.class)
                .hasMessageContaining("no_such_column")
                .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.INTERNAL));
    }

    @Test
    void adminCanPingAndQuery() {
        assertThat(gateway.admin().ping()).isTrue();
        assertThat(gateway.admin().query("SELECT version() AS v").get(0).get("v").asText()).isNotBlank();
    }

    private Map<String, Object> row(long customerId, String email, long cents) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("customer_id", customerId);
        row.put("email", email);
        row.put("as_of_date", LocalDate.of(2024, 3, 31));
        row.put("updated_at", Instant.parse("2024-03-31T00:00:00Z"));
        row.put("monetary_cents", cents);
        row.put("segment", "champions");
        return row;
    }

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
