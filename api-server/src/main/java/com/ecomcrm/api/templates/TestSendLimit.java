package com.ecomcrm.api.templates;

import com.ecomcrm.domain.ShopId;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * At most {@code limit} test sends per shop in any rolling {@code window}: a merchant testing a template sends a
 * few; a script hammering the route would turn the app's SMTP relay into a spam cannon. In memory, per API process:
 * a restart forgets, which is harmless at these numbers.
 */
public final class TestSendLimit {
    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<ShopId, Deque<Instant>> recent = new HashMap<>();

    public TestSendLimit(int limit, Duration window, Clock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("Cannot limit test sends to " + limit + ": it must be at least 1");
        }
        this.limit = limit;
        this.window = requireNonNull(window, "window is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Takes one send of the shop's allowance; false (nothing taken) when the window is full. */
    public synchronized boolean tryTake(ShopId shop) {
        Instant now = clock.instant();
        Deque<Instant> sends = recent.computeIfAbsent(shop, s -> new ArrayDeque<>());
        while (!sends.isEmpty() && !sends.peekFirst().isAfter(now.minus(window))) {
            sends.removeFirst();
        }
        if (sends.size() >= limit) {
            return false;
        }
        sends.addLast(now);
        if (recent.size() > 10_000) {
            recent.entrySet().removeIf(e -> e.getValue().isEmpty());
        }
        return true;
    }

    public int limit() {
        return limit;
    }

    public Duration window() {
        return window;
    }
}
