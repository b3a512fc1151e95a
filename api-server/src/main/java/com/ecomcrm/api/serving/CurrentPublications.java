package com.ecomcrm.api.serving;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.domain.ShopId;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * A shop's current publication ({@code max(publish_id)} of {@code shop_publications}), read from ClickHouse for every
 * request that asks, so a switch made by the nightly publish (another process, which cannot tell us) applies to the
 * very next request. Requests of one shop that arrive together share one read, but only a read that started after
 * the request arrived: the answer is then at least as new as the moment the request came in, exactly what a read of
 * its own would give. A read that started before it is never reused, however recent.
 */
public final class CurrentPublications {
    private final ClickHouseGateway clickHouse;
    /** Orders arrivals and reads: a read may serve every request that arrived before it started. */
    private final AtomicLong ticks = new AtomicLong();
    /** Per shop, the last read started (at most one entry per shop that asked). */
    private final ConcurrentHashMap<ShopId, Read> lastRead = new ConcurrentHashMap<>();

    private record Read(long startedAt, CompletableFuture<Long> publication) {
    }

    public CurrentPublications(ClickHouseGateway clickHouse) {
        this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
    }

    /** The shop's current publication id, 0 when nothing is published for it. Blocking. */
    public long current(ShopId shop) {
        requireNonNull(shop, "shop is null");
        long arrived = ticks.incrementAndGet();
        while (true) {
            Read last = lastRead.get(shop);
            if (last != null && last.startedAt() > arrived && !last.publication().isCompletedExceptionally()) {
                return join(last);
            }
            Read mine = new Read(ticks.incrementAndGet(), new CompletableFuture<>());
            boolean started = last == null ? lastRead.putIfAbsent(shop, mine) == null : lastRead.replace(shop, last, mine);
            if (!started) {
                continue; // another request started a read at the same moment: look again
            }
            try {
                long publication = clickHouse.forShop(shop).currentPublication();
                mine.publication().complete(publication);
                return publication;
            }
            catch (RuntimeException e) {
                mine.publication().completeExceptionally(e);
                throw e;
            }
        }
    }

    private static long join(Read read) {
        try {
            return read.publication().join();
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
        catch (CancellationException e) {
            throw new IllegalStateException("Cannot read the current publication: the read was cancelled", e);
        }
    }
}
