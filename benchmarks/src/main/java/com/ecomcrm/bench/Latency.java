package com.ecomcrm.bench;

import java.util.Arrays;

/** Percentiles of a set of request latencies, in milliseconds (nearest-rank). */
public record Latency(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs, double meanMs) {
    public static Latency ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            return new Latency(0, 0, 0, 0, 0, 0);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Latency(sorted.length, ms(percentile(sorted, 50)), ms(percentile(sorted, 95)),
                ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]),
                ms((long) Arrays.stream(sorted).average().orElse(0)));
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
