package com.ecomcrm.api.tracking;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.tracking.MachineEventRule;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clicks this server saw in the last {@link MachineEventRule#BURST_WINDOW}, per send. A scanner fires all of a
 * message's links at once, so their rows are not yet committed when the next click arrives; this in-memory view sees
 * them and gives each click its verdict on arrival. Other servers' clicks are PostgreSQL's business: once a batch has
 * committed, {@link BurstFlags} has {@link TrackingStore#flagBursts} flag every click of its sends that belongs to a
 * burst, whichever server saw it (within about 50 ms, off the answer path). Bounded: the least recently clicked sends
 * are forgotten first.
 *
 * <p>Cheap on purpose (one lock, no boxing, no string building): it runs on the event loop for every click. Most
 * sends are clicked once, so each keeps a small array of click times in milliseconds, oldest first.
 */
final class ClickBursts {
    private static final int MAX_SENDS = 20_000;
    private static final long WINDOW_MILLIS = MachineEventRule.BURST_WINDOW.toMillis();

    private record Send(String shop, long sendId) {
    }

    /** Click times of one send within the window, oldest first. */
    private static final class Times {
        private long[] millis = new long[2];
        private int size;

        /** Drops the clicks at or before {@code from}, counts those in ({@code from}, {@code now}], adds now. */
        int dropCountAdd(long from, long now) {
            int kept = 0;
            int before = 0;
            for (int i = 0; i < size; i++) {
                long t = millis[i];
                if (t > from) {
                    millis[kept++] = t;
                    if (t <= now) {
                        before++;
                    }
                }
            }
            size = kept;
            if (size == millis.length) {
                millis = java.util.Arrays.copyOf(millis, size * 2);
            }
            millis[size++] = now;
            return before;
        }
    }

    private final Map<Send, Times> recent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Send, Times> eldest) {
            return size() > MAX_SENDS;
        }
    };

    /** Notes a click at {@code at} and returns how many clicks of the same send came within the window before it. */
    synchronized int noteAndCount(ShopId shop, long sendId, Instant at) {
        long now = at.toEpochMilli();
        return recent.computeIfAbsent(new Send(shop.domain(), sendId), k -> new Times())
                .dropCountAdd(now - WINDOW_MILLIS, now);
    }
}
