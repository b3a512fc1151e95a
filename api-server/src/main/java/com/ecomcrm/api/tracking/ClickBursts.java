package com.ecomcrm.api.tracking;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.tracking.MachineEventRule;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clicks this server saw in the last {@link MachineEventRule#BURST_WINDOW}, per send. A scanner fires all of a
 * message's links at once, so their rows are not yet committed when the next click asks PostgreSQL; this in-memory
 * view sees them. The handler takes the larger of the two counts (PostgreSQL also sees other servers' clicks).
 * Bounded: the least recently clicked sends are forgotten first.
 */
final class ClickBursts {
    private static final int MAX_SENDS = 20_000;

    private final Map<String, ArrayDeque<Long>> recent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Long>> eldest) {
            return size() > MAX_SENDS;
        }
    };

    /** Notes a click at {@code at} and returns how many clicks of the same send came within the window before it. */
    synchronized int noteAndCount(ShopId shop, long sendId, Instant at) {
        long now = at.toEpochMilli();
        long from = now - MachineEventRule.BURST_WINDOW.toMillis();
        ArrayDeque<Long> clicks = recent.computeIfAbsent(shop.domain() + "|" + sendId, k -> new ArrayDeque<>());
        // Two windows of history, so countAround() still sees the window before an earlier click.
        while (!clicks.isEmpty() && clicks.peekFirst() <= from - MachineEventRule.BURST_WINDOW.toMillis()) {
            clicks.pollFirst();
        }
        int before = 0;
        for (long t : clicks) {
            if (t > from && t <= now) {
                before++;
            }
        }
        clicks.addLast(now);
        return before;
    }

    /**
     * Clicks of the send noted within one window either side of {@code at}, its own included: when this reaches
     * {@link MachineEventRule#BURST_CLICKS}, a click recorded as human may belong to a burst recognised meanwhile.
     */
    synchronized int countAround(ShopId shop, long sendId, Instant at) {
        ArrayDeque<Long> clicks = recent.get(shop.domain() + "|" + sendId);
        if (clicks == null) {
            return 0;
        }
        long t0 = at.toEpochMilli();
        long window = MachineEventRule.BURST_WINDOW.toMillis();
        int n = 0;
        for (long t : clicks) {
            if (t > t0 - window && t < t0 + window) {
                n++;
            }
        }
        return n;
    }
}
