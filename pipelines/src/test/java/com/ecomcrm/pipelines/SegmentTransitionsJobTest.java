package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Segment movement between hand-built gold.customer_rfm snapshots. */
class SegmentTransitionsJobTest {
    private static final String A = "alpha-moves.myshopify.com";
    private static final String B = "beta-moves.myshopify.com";
    private static final String C = "gamma-moves.myshopify.com";
    private static final LocalDate D0 = LocalDate.of(2026, 11, 20);
    private static final LocalDate D1 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D2 = LocalDate.of(2026, 11, 28);

    @TempDir
    static Path temp;
    static TestLakehouse lake;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
    }

    @AfterAll
    static void stop() {
        if (lake != null) {
            lake.close();
        }
    }

    private static Row rfm(String shop, LocalDate date, long customer, String monetary, String segment) {
        boolean prospect = segment.equals("PROSPECTS");
        return RowFactory.create(shop, Date.valueOf(date), customer, prospect ? null : 1, prospect ? 0 : 1,
                new BigDecimal(monetary), prospect ? 0 : 3, prospect ? 0 : 3, prospect ? 0 : 3, segment);
    }

    private static void append(List<Row> rows) {
        try {
            lake.spark.createDataFrame(rows, lake.spark.table(lake.lakehouse.customerRfm()).schema())
                    .writeTo(lake.lakehouse.customerRfm()).append();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** "from_date from -> to customers revenue" of the shop's transitions into {@code to}, sorted. */
    private static List<String> transitions(String shop, LocalDate to) {
        return lake.spark.table(lake.lakehouse.segmentTransitions())
                .where("shop_id = '" + shop + "' AND to_date = DATE '" + to + "'")
                .orderBy("from_segment", "to_segment").collectAsList().stream()
                .map(r -> r.getAs("from_date") + " " + r.getAs("from_segment") + " -> " + r.getAs("to_segment") + " "
                        + r.getAs("customers") + " " + r.getAs("revenue"))
                .toList();
    }

    @Test
    void countsMovesFromTheShopsPreviousSnapshotAndIsIdempotentAndPerShop() {
        append(List.of(
                // A three snapshots: D0 (older, must not be used by default), D1, D2.
                rfm(A, D0, 1, "10.00", "NEW"),
                rfm(A, D1, 1, "100.00", "LOYAL"),
                rfm(A, D1, 2, "50.00", "NEW"),
                rfm(A, D1, 3, "5.00", "DORMANT"),   // deleted by D2
                rfm(A, D1, 5, "0.00", "PROSPECTS"), // first order by D2
                rfm(A, D1, 6, "30.00", "NEW"),
                rfm(A, D2, 1, "200.00", "CHAMPIONS"),
                rfm(A, D2, 2, "60.00", "NEW"),
                rfm(A, D2, 4, "7.00", "NEW"),       // new customer since D1
                rfm(A, D2, 5, "20.00", "NEW"),
                rfm(A, D2, 6, "30.00", "AT_RISK"),
                // B: only D2, nothing to move from.
                rfm(B, D2, 1, "1.00", "NEW"),
                // C: D0 and D2, so its previous snapshot is D0.
                rfm(C, D0, 1, "1.00", "NEW"),
                rfm(C, D2, 1, "2.00", "PROMISING")));

        SegmentTransitionsJob.Result result = SegmentTransitionsJob.run(lake.spark, lake.lakehouse, D2);

        List<String> expectedA = List.of(
                "2026-11-27 DORMANT -> NONE 1 0.00",
                "2026-11-27 LOYAL -> CHAMPIONS 1 200.00",
                "2026-11-27 NEW -> AT_RISK 1 30.00",
                "2026-11-27 NEW -> NEW 1 60.00",
                "2026-11-27 NONE -> NEW 1 7.00",
                "2026-11-27 PROSPECTS -> NEW 1 20.00");
        assertThat(transitions(A, D2)).containsExactlyElementsOf(expectedA);
        assertThat(transitions(B, D2)).isEmpty();
        assertThat(transitions(C, D2)).containsExactly("2026-11-20 NEW -> PROMISING 1 2.00");
        assertThat(result.shops()).isEqualTo(2);
        assertThat(result.rows()).isEqualTo(7);
        assertThat(result.customers()).isEqualTo(7);
        assertThat(result.moved()).isEqualTo(6);

        // Re-running gives the same rows.
        List<String> before = lake.contents(lake.lakehouse.segmentTransitions());
        SegmentTransitionsJob.run(lake.spark, lake.lakehouse, D2);
        assertThat(lake.contents(lake.lakehouse.segmentTransitions())).isEqualTo(before);

        // Another shop's history appearing changes nothing of A's.
        append(List.of(rfm(B, D1, 1, "1.00", "PROSPECTS"), rfm(B, D1, 9, "999.00", "CHAMPIONS")));
        SegmentTransitionsJob.run(lake.spark, lake.lakehouse, D2);
        assertThat(transitions(A, D2)).containsExactlyElementsOf(expectedA);
        assertThat(transitions(B, D2)).containsExactly(
                "2026-11-27 CHAMPIONS -> NONE 1 0.00",
                "2026-11-27 PROSPECTS -> NEW 1 1.00");

        // A given from-date replaces the D2 slice: only shops with a snapshot on it.
        SegmentTransitionsJob.run(lake.spark, lake.lakehouse, Optional.of(D0), D2);
        assertThat(transitions(A, D2)).containsExactly(
                "2026-11-20 NEW -> CHAMPIONS 1 200.00",
                "2026-11-20 NONE -> AT_RISK 1 30.00",
                "2026-11-20 NONE -> NEW 3 87.00");
        assertThat(transitions(B, D2)).isEmpty();
        assertThat(transitions(C, D2)).containsExactly("2026-11-20 NEW -> PROMISING 1 2.00");

        assertThatThrownBy(() -> SegmentTransitionsJob.run(lake.spark, lake.lakehouse, Optional.of(D2), D2))
                .hasMessageContaining("before");

        // compute leaves no view of its own behind, and what it returns is read after without one.
        Dataset<Row> computed = SegmentTransitionsJob.compute(lake.spark, lake.lakehouse, Optional.empty(), D2);
        assertThat(lake.spark.catalog().tableExists("transition_shops")).isFalse();
        assertThat(computed.filter("shop_id = '" + C + "'").count()).isEqualTo(1);
    }
}
