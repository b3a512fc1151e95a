package com.ecomcrm.api.tracking;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event ids for opens and clicks, unique across servers and restarts: a random 128-bit base drawn once per process
 * from {@link SecureRandom}, plus a counter. {@code UUID.randomUUID()} per request drew from the shared SecureRandom
 * every time (a lock and a system call's worth of work on the hot path); the counter costs an atomic increment. The
 * ids only need to be unique (the {@code (shop_domain, event_id)} index keeps a replayed landed line from being
 * recorded twice), never unguessable: nobody outside ever sees or sends one.
 */
final class EventIds {
    private final long high;
    private final long low;
    private final AtomicLong next = new AtomicLong();

    EventIds() {
        SecureRandom random = new SecureRandom();
        this.high = random.nextLong();
        this.low = random.nextLong();
    }

    /** A new id in UUID form, never returned before by this instance. */
    String next() {
        return new UUID(high, low + next.getAndIncrement()).toString();
    }
}
