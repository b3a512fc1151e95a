package com.ecomcrm.bench.jmh;

import com.ecomcrm.domain.QuintileScore;
import com.ecomcrm.domain.RfmScores;
import com.ecomcrm.domain.Segment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * RFM scoring of one shop's customers with the domain classes the Spark job uses as UDFs: for each of recency,
 * frequency and monetary value, the number of customers strictly worse (a sort and a binary search, the
 * {@code rank() - 1} of the job), {@link QuintileScore#of}, then {@link RfmScores} and its segment
 * ({@code RfmSegmentMap}). Values are drawn like a real shop's: most customers have one order, spend is skewed.
 * The figure is the time to score the whole shop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RfmScoringBench {
    @Param("10000")
    public int customers;

    private int[] recencyDays;
    private int[] orders;
    private long[] spendCents;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(20261010L);
        recencyDays = new int[customers];
        orders = new int[customers];
        spendCents = new long[customers];
        for (int i = 0; i < customers; i++) {
            recencyDays[i] = random.nextInt(730);
            orders[i] = 1 + (int) Math.floor(-Math.log(1 - random.nextDouble()) * 1.2);
            spendCents[i] = orders[i] * (1_000 + (long) Math.floor(-Math.log(1 - random.nextDouble()) * 6_000));
        }
    }

    @Benchmark
    public Map<Segment, Integer> scoreShop() {
        int n = customers;
        int[] recencySorted = recencyDays.clone();
        int[] ordersSorted = orders.clone();
        long[] spendSorted = spendCents.clone();
        Arrays.sort(recencySorted);
        Arrays.sort(ordersSorted);
        Arrays.sort(spendSorted);
        Map<Segment, Integer> segments = new EnumMap<>(Segment.class);
        for (int i = 0; i < n; i++) {
            // Recency: more days is worse; frequency and monetary: fewer is worse.
            long recencyWorse = n - firstAbove(recencySorted, recencyDays[i]);
            long frequencyWorse = firstAtLeast(ordersSorted, orders[i]);
            long monetaryWorse = firstAtLeast(spendSorted, spendCents[i]);
            RfmScores scores = new RfmScores(QuintileScore.of(recencyWorse, n), QuintileScore.of(frequencyWorse, n),
                    QuintileScore.of(monetaryWorse, n));
            segments.merge(scores.segment(), 1, Integer::sum);
        }
        return segments;
    }

    /** The index of the first element greater than {@code value}. */
    static int firstAbove(int[] sorted, int value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            }
            else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The index of the first element at least {@code value}: the number strictly below it. */
    static int firstAtLeast(int[] sorted, int value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            }
            else {
                hi = mid;
            }
        }
        return lo;
    }

    static int firstAtLeast(long[] sorted, long value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            }
            else {
                hi = mid;
            }
        }
        return lo;
    }
}
