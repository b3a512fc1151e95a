package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ShopScope#stream} against the real ClickHouse: rows handed over one at a time as they arrive, the shop's rows
 * only, a read stopped by the caller ends the query on the server, and an error half-way is an error, never a short
 * result.
 */
@Tag(TestClickHouse.TAG)
class ShopScopeStreamTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId ACME = ShopId.of("stream-" + RUN + "-acme.myshopify.com");
    private static final ShopId GLOBEX = ShopId.of("stream-" + RUN + "-globex.myshopify.com");

    private ClickHouseGateway gateway;
    private String table;

    @BeforeEach
    void createTable() {
        gateway = TestClickHouse.gatewayOrSkip();
        table = "test_stream_" + RUN;
        gateway.admin().execute("CREATE TABLE " + table + " (shop_id String, customer_id UInt64, monetary_cents Int64)"
                + " ENGINE = MergeTree ORDER BY (shop_id, customer_id)");
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

    @Test
    void streamsEveryRowOfTheShopInOrderAndNoneOfAnotherShop() {
        List<Map<String, Object>> acmeRows = new ArrayList<>();
        List<Map<String, Object>> globexRows = new ArrayList<>();
        for (long id = 1; id <= 150_000; id++) {
            acmeRows.add(Map.of("customer_id", id, "monetary_cents", id * 10));
            if (id % 3 == 0) {
                globexRows.add(Map.of("customer_id", id, "monetary_cents", -id));
            }
        }
        gateway.forShop(ACME).insertRows(table, acmeRows);
        gateway.forShop(GLOBEX).insertRows(table, globexRows);
        SqlTemplate all = SqlTemplate.of("SELECT customer_id, monetary_cents FROM {table} WHERE shop_id = {shop}"
                + " ORDER BY customer_id DESC").bindIdentifier("table", table);

        AtomicLong expected = new AtomicLong(150_000);
        AtomicLong wrong = new AtomicLong();
        long streamed = gateway.forShop(ACME).stream(all, row -> {
            long id = expected.getAndDecrement();
            if (row.get("customer_id").asLong() != id || row.get("monetary_cents").asLong() != id * 10) {
                wrong.incrementAndGet();
            }
        });
        AtomicLong globexStreamed = new AtomicLong();
        long globexCount = gateway.forShop(GLOBEX).stream(all, row -> {
            assertThat(row.get("monetary_cents").asLong()).isNegative();
            globexStreamed.incrementAndGet();
        });

        assertThat(streamed).isEqualTo(150_000);
        assertThat(expected.get()).isZero();
        assertThat(wrong.get()).isZero();
        assertThat(globexCount).isEqualTo(50_000).isEqualTo(globexStreamed.get());
    }

    @Test
    void aReadStoppedByTheCallerEndsTheQueryOnTheServer() throws Exception {
        String marker = "stream_stop_" + RUN;
        // Far more rows than anyone would wait for: only a dropped connection ends this query quickly.
        SqlTemplate endless = SqlTemplate.of("SELECT number AS n, {marker} AS m FROM system.numbers"
                + " WHERE {shop} != '' LIMIT 10000000000").bind("marker", marker);
        AtomicLong seen = new AtomicLong();
        long started = System.nanoTime();

        assertThatThrownBy(() -> gateway.forShop(ACME).stream(endless, row -> {
            if (seen.incrementAndGet() == 1_000) {
                throw new IllegalStateException("the download was cancelled");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("the download was cancelled");

        assertThat(seen.get()).isEqualTo(1_000);
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms until the stopped read returned").isLessThan(10_000);
        // The server notices the dropped connection when it next writes, and ends the query.
        boolean ended = false;
        for (int i = 0; i < 100 && !ended; i++) {
            ended = gateway.admin().query("SELECT count() AS n FROM system.processes WHERE query LIKE '%" + marker
                    + "%' AND query NOT LIKE '%system.processes%'").get(0).get("n").asLong() == 0;
            if (!ended) {
                Thread.sleep(100);
            }
        }
        assertThat(ended).as("the query has left system.processes").isTrue();
        // The gateway is still usable afterwards.
        assertThat(gateway.forShop(ACME).select(SqlTemplate.of("SELECT 1 AS one WHERE {shop} != ''"))).hasSize(1);
    }

    @Test
    void anErrorHalfWayIsThrownAfterTheRowsBeforeIt() {
        // Several megabytes of rows leave the server before row 400,000 fails.
        SqlTemplate failing = SqlTemplate.of("SELECT number AS n, throwIf(number = 400000) AS failed"
                + " FROM system.numbers WHERE {shop} != '' LIMIT 500000");
        AtomicLong seen = new AtomicLong();

        assertThatThrownBy(() -> gateway.forShop(ACME).stream(failing, row -> seen.incrementAndGet()))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        assertThat(seen.get()).isLessThan(500_000);
    }

    @Test
    void streamsTabSeparatedCellsOfTheShopOnlyWithEscapesUndoneAndNulls() {
        gateway.forShop(ACME).insertRows(table, List.of(Map.of("customer_id", 1L, "monetary_cents", -5L),
                Map.of("customer_id", 2L, "monetary_cents", 9_007_199_254_740_993L)));
        gateway.forShop(GLOBEX).insertRows(table, List.of(Map.of("customer_id", 3L, "monetary_cents", 7L)));
        SqlTemplate all = SqlTemplate.of("SELECT customer_id, monetary_cents, if(customer_id = 1, NULL, 'a\\tb\\\\c')"
                + " AS text FROM {table} WHERE shop_id = {shop} ORDER BY customer_id").bindIdentifier("table", table);
        List<List<String>> acme = new ArrayList<>();
        List<List<String>> globex = new ArrayList<>();

        long acmeRows = gateway.forShop(ACME).streamTabSeparated(all, 3, row -> acme.add(java.util.Arrays.asList(row)));
        gateway.forShop(GLOBEX).streamTabSeparated(all, 3, row -> globex.add(java.util.Arrays.asList(row)));

        assertThat(acmeRows).isEqualTo(2);
        assertThat(acme).containsExactly(java.util.Arrays.asList("1", "-5", null),
                List.of("2", "9007199254740993", "a\tb\\c"));
        assertThat(globex).containsExactly(List.of("3", "7", "a\tb\\c"));
    }

    @Test
    void aTabSeparatedErrorHalfWayIsThrownAfterTheRowsBeforeIt() {
        SqlTemplate failing = SqlTemplate.of("SELECT number AS n, throwIf(number = 400000) AS failed"
                + " FROM system.numbers WHERE {shop} != '' LIMIT 500000");
        AtomicLong seen = new AtomicLong();

        assertThatThrownBy(() -> gateway.forShop(ACME).streamTabSeparated(failing, 2, row -> seen.incrementAndGet()))
                .isInstanceOfSatisfying(DomainException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
        assertThat(seen.get()).isLessThan(500_000);
    }

    @Test
    void refusesAStatementThatIsNotASelect() {
        assertThatThrownBy(() -> gateway.forShop(ACME).stream(
                SqlTemplate.of("ALTER TABLE x DELETE WHERE shop_id = {shop}"), row -> { }))
                .isInstanceOf(DomainException.class)
                .hasMessageStartingWith("Cannot select with a statement that is not a SELECT");
    }
}
