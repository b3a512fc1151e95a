package com.ecomcrm.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One timed stage.
 *
 * @param rows          what the stage processed (its unit is in {@code unit}: orders, lines, deliveries, requests)
 * @param latency       per-request latencies, for the load stages; null otherwise
 * @param peakMemoryMb  peak resident memory of the process doing the work, when measured; null otherwise
 * @param details       stage-specific figures (e.g. the pipeline's own stage timings, non-200 counts)
 */
public record StageResult(String name, double seconds, long rows, String unit, Latency latency, Double peakMemoryMb,
                          Map<String, Object> details) {
    public StageResult {
        details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    public static StageResult timed(String name, long startNanos, long rows, String unit) {
        return new StageResult(name, (System.nanoTime() - startNanos) / 1e9, rows, unit, null, null, null);
    }

    public double rowsPerSecond() {
        return seconds <= 0 ? 0 : rows / seconds;
    }

    public StageResult with(Latency newLatency, Double newPeakMemoryMb, Map<String, Object> newDetails) {
        return new StageResult(name, seconds, rows, unit, newLatency, newPeakMemoryMb, newDetails);
    }
}
