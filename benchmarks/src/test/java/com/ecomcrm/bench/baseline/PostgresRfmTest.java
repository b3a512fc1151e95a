package com.ecomcrm.bench.baseline;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.PostgresTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The baseline's SQL on the real PostgreSQL, in a fresh schema per test, on orders built by hand. */
class PostgresRfmTest {
    private static final LocalDate AS_OF = LocalDate.of(2025, 12, 31);
    private static final ShopId SHOP = ShopId.of("rfm-a.myshopify.com");
    private static final ShopId OTHER_SHOP = ShopId.of("rfm-b.myshopify.com");

    private final String schema = "rfm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final PostgresRfm rfm = new PostgresRfm(schema);
    private Connection connection;
    private long nextOrderId = 1;

    @BeforeEach
    void connect() throws SQLException {
        PostgresTarget target = PostgresTarget.fromEnv();
        connection = DriverManager.getConnection(target.url(), target.user(), target.password());
        rfm.createTables(connection);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA " + schema + " CASCADE");
        }
        connection.close();
    }

    @Test
    void scoresDistinctCustomersByTheirRankWithinTheirShopCountingOnlyQualifyingOrders() throws SQLException {
        List<BaselineOrder> orders = new ArrayList<>();
        // Customer k (1..5) has k orders of 10 * k each, the last one k * 2 months into the year: all three ranks are k.
        for (int k = 1; k <= 5; k++) {
            for (int n = 0; n < k; n++) {
                orders.add(paid(order(SHOP, k, "2025-%02d-15T12:00:00Z".formatted(k * 2 + (k == 5 ? 1 : 0) - n), 10 * k)));
            }
        }
        // None of these count; each would raise customer 1 to the top of a score if it did.
        orders.add(order(SHOP, 1, "2025-12-30T10:00:00Z", 500).cancelled());
        orders.add(order(SHOP, 1, "2025-12-30T10:00:00Z", 500).asTest());
        orders.add(order(SHOP, 1, "2025-12-30T10:00:00Z", 500).refunded());
        orders.add(paid(order(SHOP, 1, "2026-01-01T00:00:00Z", 500))); // after the as-of day
        // Another shop's big customer does not move this shop's scores.
        orders.add(paid(order(OTHER_SHOP, 99, "2025-12-31T23:59:59Z", 10_000)));

        assertThat(rfm.load(connection, orders)).isEqualTo(orders.size());
        assertThat(rfm.score(connection, AS_OF)).isEqualTo(6);

        Map<Long, PostgresRfm.Scores> scores = rfm.scores(connection, SHOP);
        assertThat(scores).hasSize(5);
        for (long k = 1; k <= 5; k++) {
            int rank = (int) k;
            assertThat(scores.get(k)).as("customer %d", k).isEqualTo(new PostgresRfm.Scores(rank, rank, rank));
        }
        assertThat(rfm.scores(connection, OTHER_SHOP)).containsExactly(Map.entry(99L, new PostgresRfm.Scores(1, 1, 1)));
    }

    @Test
    void ntileSplitsTiesAcrossScoresWhereOurQuintilesKeepThemTogether() throws SQLException {
        List<BaselineOrder> orders = new ArrayList<>();
        for (long customer = 1; customer <= 5; customer++) {
            orders.add(paid(order(SHOP, customer, "2025-06-01T12:00:00Z", 25)));
        }
        rfm.load(connection, orders);
        rfm.score(connection, AS_OF);

        // Five identical customers: QuintileScore gives all of them 1 (none is strictly worse); NTILE gives 1..5.
        assertThat(rfm.scores(connection, SHOP).values()).extracting(PostgresRfm.Scores::recency)
                .containsExactlyInAnyOrder(1, 2, 3, 4, 5);
    }

    private Order order(ShopId shop, long customer, String processedAt, int dollars) {
        return new Order(shop, customer, nextOrderId++, Instant.parse(processedAt), BigDecimal.valueOf(dollars));
    }

    /** A paid order, and the variants that must not count. */
    private record Order(ShopId shop, long customer, long id, Instant processedAt, BigDecimal total) {
        BaselineOrder cancelled() {
            return new BaselineOrder(shop, customer, id, processedAt, total, BigDecimal.ZERO, false, processedAt);
        }

        BaselineOrder asTest() {
            return new BaselineOrder(shop, customer, id, processedAt, total, BigDecimal.ZERO, true, null);
        }

        BaselineOrder refunded() {
            return new BaselineOrder(shop, customer, id, processedAt, total, total, false, null);
        }
    }

    private static BaselineOrder paid(Order o) {
        return new BaselineOrder(o.shop(), o.customer(), o.id(), o.processedAt(), o.total(), BigDecimal.ZERO, false,
                null);
    }
}
