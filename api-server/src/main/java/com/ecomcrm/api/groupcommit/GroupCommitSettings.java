package com.ecomcrm.api.groupcommit;

import java.time.Duration;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * How a {@link GroupCommit} forms its batches.
 *
 * @param maxBatch        items recorded together at most: a batch is cut as soon as this many wait
 * @param batchesInFlight batches being recorded at once: more overlaps one batch's fsync with the next one's
 *                        statements, fewer makes bigger batches
 * @param maxWait         how long an item may wait for company while a batch could start: zero (the default) starts a
 *                        batch at once whenever one may, so an item never waits without load; more makes bigger
 *                        batches at low load for up to this much latency
 */
public record GroupCommitSettings(int maxBatch, int batchesInFlight, Duration maxWait) {
    public GroupCommitSettings {
        requireNonNull(maxWait, "maxWait is null");
        if (maxBatch < 1 || batchesInFlight < 1) {
            throw new IllegalArgumentException("Cannot group commits: maxBatch " + maxBatch + " and batchesInFlight "
                    + batchesInFlight + " must be at least 1");
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("Cannot group commits: maxWait " + maxWait + " is negative");
        }
    }

    /** Batches that start as soon as they may (no waiting for company). */
    public GroupCommitSettings(int maxBatch, int batchesInFlight) {
        this(maxBatch, batchesInFlight, Duration.ZERO);
    }

    /**
     * {@code <prefix>_MAX_BATCH}, {@code <prefix>_BATCHES_IN_FLIGHT} and {@code <prefix>_MAX_WAIT_MS} (e.g. prefix
     * {@code ECOMCRM_TRACKING}), each falling back to {@code defaults} when unset or blank.
     */
    public static GroupCommitSettings fromEnvironment(Map<String, String> environment, String prefix,
                                                      GroupCommitSettings defaults) {
        requireNonNull(environment, "environment is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(defaults, "defaults is null");
        return new GroupCommitSettings(number(environment, prefix + "_MAX_BATCH", defaults.maxBatch),
                number(environment, prefix + "_BATCHES_IN_FLIGHT", defaults.batchesInFlight),
                Duration.ofMillis(number(environment, prefix + "_MAX_WAIT_MS", (int) defaults.maxWait.toMillis())));
    }

    private static int number(Map<String, String> environment, String key, int fallback) {
        String value = environment.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot read " + key + ": '" + value + "' is not a whole number", e);
        }
    }
}
