package com.ecomcrm.pipelines;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A night's gold slice replaced by an overwrite, on hand-built gold.customer_rfm rows. */
class GoldSliceTest {
    private static final String A = "alpha-slice.myshopify.com";
    private static final String B = "beta-slice.myshopify.com";
    private static final LocalDate D1 = LocalDate.of(2026, 11, 27);
    private static final LocalDate D2 = LocalDate.of(2026, 11, 28);
    private static final String KEY = "t.shop_id = s.shop_id AND t.as_of_date = s.as_of_date"
            + " AND t.customer_id = s.customer_id";

    @TempDir
    static Path temp;
    static TestLakehouse lake;
    static String table;

    @BeforeAll
    static void start() {
        lake = TestLakehouse.start(temp.resolve("warehouse"));
        table = lake.lakehouse.customerRfm();
    }

    @AfterAll
    static void stop() {
        if (lake != null) {
            lake.close();
        }
    }

    @BeforeEach
    void empty() {
        lake.spark.sql("DELETE FROM " + table);
    }

    private static Row rfm(String shop, LocalDate date, long customer, String segment) {
        return RowFactory.create(shop, Date.valueOf(date), customer, 1, 1, new BigDecimal("10.00"), 3, 3, 3, segment);
    }

    private static void append(List<Row> rows) {
        try {
            lake.spark.createDataFrame(rows, lake.spark.table(table).schema()).writeTo(table).append();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void replace(LocalDate date, List<Row> rows) {
        lake.spark.createDataFrame(rows, lake.spark.table(table).schema()).createOrReplaceTempView("slice_rows");
        try {
            new GoldSlice(table, "as_of_date", GoldSlice.Range.ON, date).replaceWith(lake.spark, "slice_rows", KEY);
        }
        finally {
            lake.spark.catalog().dropTempView("slice_rows");
        }
    }

    private static List<String> rows() {
        return lake.spark.sql("SELECT shop_id, as_of_date, customer_id, segment FROM " + table)
                .collectAsList().stream().map(Row::toString).sorted().toList();
    }

    private static List<String> filesOf(LocalDate date) {
        return lake.spark.sql("SELECT file_path FROM " + table + ".files WHERE readable_metrics.as_of_date"
                        + ".lower_bound = DATE '" + date + "'")
                .collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
    }

    private static long snapshots() {
        return lake.spark.sql("SELECT count(*) FROM " + table + ".snapshots").first().getLong(0);
    }

    @Test
    void replacesEveryShopsRowsOfTheDateAndLeavesOtherDatesFilesUntouched() {
        append(List.of(rfm(A, D1, 1, "CHAMPIONS"), rfm(B, D1, 2, "LOYAL")));
        append(List.of(rfm(A, D2, 1, "CHAMPIONS"), rfm(A, D2, 3, "NEW"), rfm(B, D2, 2, "LOYAL")));
        List<String> d1Files = filesOf(D1);
        long before = snapshots();

        // Tonight shop A's customer 3 is gone and shop B has no customers left.
        replace(D2, List.of(rfm(A, D2, 1, "AT_RISK")));

        assertThat(rows()).containsExactly(
                "[" + A + "," + D1 + ",1,CHAMPIONS]",
                "[" + A + "," + D2 + ",1,AT_RISK]",
                "[" + B + "," + D1 + ",2,LOYAL]");
        assertThat(snapshots()).as("one commit").isEqualTo(before + 1);
        assertThat(filesOf(D1)).as("the other date's files are neither read nor rewritten").isEqualTo(d1Files);
        assertThat(lake.spark.sql("SELECT operation FROM " + table + ".snapshots ORDER BY committed_at DESC LIMIT 1")
                .first().getString(0)).isEqualTo("overwrite");
    }

    @Test
    void rerunningTheDateGivesTheSameRows() {
        append(List.of(rfm(A, D1, 1, "CHAMPIONS")));
        List<Row> night = List.of(rfm(A, D2, 1, "LOYAL"), rfm(B, D2, 2, "NEW"));
        replace(D2, night);
        List<String> first = rows();

        replace(D2, night);

        assertThat(rows()).isEqualTo(first).hasSize(3);
    }

    @Test
    void anEmptyNightEmptiesTheDate() {
        append(List.of(rfm(A, D1, 1, "CHAMPIONS")));
        append(List.of(rfm(A, D2, 1, "CHAMPIONS"), rfm(B, D2, 2, "LOYAL")));

        replace(D2, List.of());

        assertThat(rows()).containsExactly("[" + A + "," + D1 + ",1,CHAMPIONS]");
    }

    @Test
    void aFileHoldingSeveralDatesIsReplacedByTheMergeInstead() {
        // One write of both dates: each shop's file spans D1 and D2, so D2 cannot be dropped file by file.
        append(List.of(rfm(A, D1, 1, "CHAMPIONS"), rfm(A, D2, 1, "CHAMPIONS"), rfm(A, D2, 3, "NEW"),
                rfm(B, D1, 2, "LOYAL"), rfm(B, D2, 2, "LOYAL")));
        long before = snapshots();

        replace(D2, List.of(rfm(A, D2, 1, "AT_RISK")));

        assertThat(rows()).containsExactly(
                "[" + A + "," + D1 + ",1,CHAMPIONS]",
                "[" + A + "," + D2 + ",1,AT_RISK]",
                "[" + B + "," + D1 + ",2,LOYAL]");
        assertThat(snapshots()).as("still one commit").isEqualTo(before + 1);
    }

    @Test
    void anUpToSliceReplacesEveryDayUpToTheDateAndKeepsLaterDays() {
        LocalDate d3 = D2.plusDays(1);
        append(List.of(rfm(A, D1, 1, "CHAMPIONS"), rfm(B, D1, 2, "LOYAL")));
        append(List.of(rfm(A, d3, 1, "CHAMPIONS")));
        lake.spark.createDataFrame(List.of(rfm(A, D1, 1, "NEW"), rfm(A, D2, 1, "NEW")),
                lake.spark.table(table).schema()).createOrReplaceTempView("slice_rows");
        try {
            new GoldSlice(table, "as_of_date", GoldSlice.Range.UP_TO, D2).replaceWith(lake.spark, "slice_rows", KEY);
        }
        finally {
            lake.spark.catalog().dropTempView("slice_rows");
        }

        assertThat(rows()).containsExactly(
                "[" + A + "," + D1 + ",1,NEW]",
                "[" + A + "," + D2 + ",1,NEW]",
                "[" + A + "," + d3 + ",1,CHAMPIONS]");
    }
}
