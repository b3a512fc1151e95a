package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
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

/**
 * {@link ClickHouseGateway#insertStream} against the real ClickHouse: one INSERT carrying many shops' rows, each
 * stamped with the shop it was written for, larger than a chunk so it really streams; another shop named in a row or a
 * column not declared is refused; a refused insert is an error, never a silent short insert.
 */
@Tag(TestClickHouse.TAG)
class StreamedInsertTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId ACME = ShopId.of("insert-" + RUN + "-acme.myshopify.com");
    private static final ShopId GLOBEX = ShopId.of("insert-" + RUN + "-globex.myshopify.com");

    private ClickHouseGateway gateway;
    private String table;

    @BeforeEach
    void createTable() {
        gateway = TestClickHouse.gatewayOrSkip();
        table = "test_streamed_insert_" + RUN;
        gateway.admin().execute("CREATE TABLE " + table + " (shop_id String, customer_id UInt64, segment String,"
                + " as_of_date Date, published_at DateTime, clv Nullable(Float64)) ENGINE = MergeTree"
                + " ORDER BY (shop_id, customer_id)");
    }

    @AfterEach
    void dropTable() {
        if (gateway != null) {
            try {
                gateway.admin().execute("DROP TABLE IF EXISTS " + table);
            } finally {
                gateway.close();
            }
        }
    }

    private static Map<String, Object> row(long customer, String segment, Double clv) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("customer_id", customer);
        row.put("segment", segment);
        row.put("as_of_date", LocalDate.of(2025, 12, 31));
        row.put("published_at", Instant.parse("2026-01-01T02:03:04Z"));
        row.put("clv", clv);
        return row;
    }

    @Test
    void streamsTheRowsOfManyShopsInOneInsertEachStampedWithItsShop() {
        StreamedInsert insert = gateway.insertStream(table, List.copyOf(row(0, "", null).keySet()));
        for (long id = 1; id <= 60_000; id++) { // about 6 MB of JSON: many chunks
            insert.write(ACME, row(id, "CHAMPIONS \"quoted\" ü", id * 0.5));
            if (id % 4 == 0) {
                insert.write(GLOBEX, row(id, "AT_RISK", null));
            }
        }

        assertThat(insert.finish()).isEqualTo(75_000);

        assertThat(insert.rowsPerShop()).containsExactly(Map.entry(ACME, 60_000L), Map.entry(GLOBEX, 15_000L));
        JsonNode acme = count(ACME);
        assertThat(acme.get("n").asLong()).isEqualTo(60_000);
        assertThat(acme.get("segments").asLong()).isEqualTo(1);
        assertThat(acme.get("clv_sum").asDouble()).isEqualTo(0.5 * 60_000 * 60_001 / 2);
        JsonNode globex = count(GLOBEX);
        assertThat(globex.get("n").asLong()).isEqualTo(15_000);
        assertThat(globex.get("nulls").asLong()).isEqualTo(15_000);
        JsonNode first = gateway.forShop(ACME).select(SqlTemplate.of("SELECT segment, toString(as_of_date) AS d,"
                + " toString(toUnixTimestamp(published_at)) AS t FROM {table} WHERE shop_id = {shop}"
                + " AND customer_id = 1").bindIdentifier("table", table)).get(0);
        assertThat(first.get("segment").asText()).isEqualTo("CHAMPIONS \"quoted\" ü");
        assertThat(first.get("d").asText()).isEqualTo("2025-12-31");
        assertThat(first.get("t").asText()).isEqualTo(String.valueOf(Instant.parse("2026-01-01T02:03:04Z")
                .getEpochSecond()));
    }

    private JsonNode count(ShopId shop) {
        return gateway.forShop(shop).select(SqlTemplate.of("SELECT count() AS n, uniqExact(segment) AS segments,"
                + " sum(clv) AS clv_sum, countIf(isNull(clv)) AS nulls FROM {table} WHERE shop_id = {shop}")
                .bindIdentifier("table", table)).get(0);
    }

    @Test
    void refusesARowNamingAnotherShopOrAnUndeclaredColumn() {
        try (StreamedInsert insert = gateway.insertStream(table, List.of("customer_id", "segment"))) {
            Map<String, Object> foreign = new LinkedHashMap<>();
            foreign.put("shop_id", GLOBEX.domain());
            foreign.put("customer_id", 1L);
            assertThatThrownBy(() -> insert.write(ACME, foreign))
                    .isInstanceOf(DomainException.class)
                    .hasMessageContaining("has shop_id '" + GLOBEX.domain() + "' but it was written for shop '"
                            + ACME.domain() + "'");
            assertThatThrownBy(() -> insert.write(ACME, Map.of("monetary_cents", 5L)))
                    .isInstanceOf(DomainException.class)
                    .hasMessageContaining("column 'monetary_cents' was not declared");
        }
        // Abandoned, not finished: nothing of ACME was stored.
        assertThat(count(ACME).get("n").asLong()).isZero();
    }

    @Test
    void aRefusedInsertFailsInsteadOfStoringPartOfTheRows() {
        StreamedInsert insert = gateway.insertStream(table, List.of("customer_id", "segment", "no_such_column"));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("customer_id", 1L);
        row.put("segment", "NEW");
        row.put("no_such_column", 1);

        assertThatThrownBy(() -> {
            for (int i = 0; i < 100_000; i++) {
                insert.write(ACME, row);
            }
            insert.finish();
        }).isInstanceOf(DomainException.class).hasMessageContaining("no_such_column");
        insert.close();
        assertThat(count(ACME).get("n").asLong()).isZero();
    }
}
