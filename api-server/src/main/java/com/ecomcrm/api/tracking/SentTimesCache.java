package com.ecomcrm.api.tracking;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each recently tracked send was handed to the mail server ({@code sends.sent_at}), which the machine rule
 * compares every open and click with. sent_at never changes once written, so an entry never goes stale; a send without
 * one yet is not cached (it is looked up again next time). Bounded by emptying itself when full: the next batches
 * look their sends up again, one statement per batch.
 */
final class SentTimesCache {
    private static final int MAX_SENDS = 100_000;

    private final Map<TrackingStore.SendRef, Instant> sentAt = new ConcurrentHashMap<>();

    Instant get(TrackingStore.SendRef send) {
        return sentAt.get(send);
    }

    void putAll(Map<TrackingStore.SendRef, Instant> found) {
        if (sentAt.size() + found.size() > MAX_SENDS) {
            sentAt.clear();
        }
        sentAt.putAll(found);
    }
}
