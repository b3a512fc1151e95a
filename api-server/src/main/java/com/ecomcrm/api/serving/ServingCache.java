package com.ecomcrm.api.serving;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * ClickHouse answers of the serving tables, kept per shop and publication: the serving data of a publication never
 * changes once it is switched in (the nightly publish writes a new publication rather than changing one), so an
 * answer read under publication P is the answer to the same statement for as long as P is the shop's current one.
 *
 * <p>The key is the shop, the publication and the statement as rendered for that shop (its {@code shop_id} literal
 * included), so an entry can only answer the shop whose scope read it. Bounded: by an estimate of the memory the rows
 * take (least recently used entries go first), by the rows per answer (a bigger answer is not kept), and by age
 * ({@code maxAge}): a customer erasure deletes rows inside the current publication, and an answer older than
 * {@code maxAge} is read again, so an erased customer leaves every answer within it. When a shop's publication moves
 * on, its entries of older publications are dropped at once.
 */
public final class ServingCache {
    /** Rough heap cost of one JSON value of a row (node, string, map entry), for the memory bound. */
    static final long BYTES_PER_VALUE = 96;
    static final long BYTES_PER_ENTRY = 256;

    public record Key(ShopId shop, long publication, String statement) {
        public Key {
            requireNonNull(shop, "shop is null");
            requireNonNull(statement, "statement is null");
        }
    }

    /** How big and how old answers may get. {@code maxBytes} 0 keeps nothing. */
    public record Settings(long maxBytes, int maxRowsPerAnswer, Duration maxAge) {
        public static final Settings DEFAULT = new Settings(64L * 1024 * 1024, 2_000, Duration.ofMinutes(5));

        public Settings {
            requireNonNull(maxAge, "maxAge is null");
            if (maxBytes < 0 || maxRowsPerAnswer < 0 || maxAge.isNegative()) {
                throw new IllegalArgumentException("Cannot bound the serving cache by negative sizes or ages");
            }
        }

        /**
         * {@code ECOMCRM_SERVING_CACHE_MB} (default 64; 0 turns the cache off) and
         * {@code ECOMCRM_SERVING_CACHE_MAX_AGE_SECONDS} (default 300).
         */
        public static Settings from(Map<String, String> environment) {
            long mb = number(environment, "ECOMCRM_SERVING_CACHE_MB", DEFAULT.maxBytes() / 1024 / 1024);
            long age = number(environment, "ECOMCRM_SERVING_CACHE_MAX_AGE_SECONDS", DEFAULT.maxAge().toSeconds());
            return new Settings(mb * 1024 * 1024, DEFAULT.maxRowsPerAnswer(), Duration.ofSeconds(age));
        }

        private static long number(Map<String, String> environment, String key, long fallback) {
            String value = environment.get(key);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                long parsed = Long.parseLong(value.strip());
                if (parsed < 0) {
                    throw new NumberFormatException("negative");
                }
                return parsed;
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("Cannot read " + key + ": '" + value + "' is not a whole number >= 0");
            }
        }
    }

    private record Entry(List<JsonNode> rows, long bytes, long storedAt) {
    }

    private final Settings settings;
    private final LongSupplier nanoTime;
    /** Access order: the eldest is the least recently used. */
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    /** The newest publication seen per shop: entries of older ones are dropped when it moves on. */
    private final Map<ShopId, Long> newest = new HashMap<>();
    private long bytes;
    private long hits;
    private long misses;

    public ServingCache(Settings settings) {
        this(settings, System::nanoTime);
    }

    ServingCache(Settings settings, LongSupplier nanoTime) {
        this.settings = requireNonNull(settings, "settings is null");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    }

    public boolean enabled() {
        return settings.maxBytes() > 0;
    }

    /** The rows stored for the key, if they are younger than the maximum age. */
    public synchronized Optional<List<JsonNode>> get(Key key) {
        forgetOlderPublications(key.shop(), key.publication());
        Entry entry = entries.get(key);
        if (entry != null && nanoTime.getAsLong() - entry.storedAt() > settings.maxAge().toNanos()) {
            remove(key);
            entry = null;
        }
        if (entry == null) {
            misses++;
            return Optional.empty();
        }
        hits++;
        return Optional.of(entry.rows());
    }

    /** Keeps the rows read under the key's publication (unless too many or too big; the eldest go to make room). */
    public void put(Key key, List<JsonNode> rows) {
        requireNonNull(key, "key is null");
        if (!enabled() || rows.size() > settings.maxRowsPerAnswer()) {
            return;
        }
        long size = BYTES_PER_ENTRY + 2L * key.statement().length();
        for (JsonNode row : rows) {
            size += BYTES_PER_VALUE * Math.max(1, row.size());
        }
        if (size > settings.maxBytes() / 4) {
            return;
        }
        List<JsonNode> kept = List.copyOf(rows);
        long now = nanoTime.getAsLong();
        synchronized (this) {
            forgetOlderPublications(key.shop(), key.publication());
            if (key.publication() < newest.getOrDefault(key.shop(), 0L)) {
                return; // read under a publication already replaced: nobody asks for it any more
            }
            remove(key);
            entries.put(key, new Entry(kept, size, now));
            bytes += size;
            Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
            while (bytes > settings.maxBytes() && eldest.hasNext()) {
                bytes -= eldest.next().getValue().bytes();
                eldest.remove();
            }
        }
    }

    /** Answers served from the cache and answers read from ClickHouse, since start. */
    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long estimatedBytes() {
        return bytes;
    }

    private void forgetOlderPublications(ShopId shop, long publication) {
        Long known = newest.get(shop);
        if (known != null && known >= publication) {
            return;
        }
        newest.put(shop, publication);
        if (known != null) {
            entries.entrySet().removeIf(e -> {
                boolean older = e.getKey().shop().equals(shop) && e.getKey().publication() < publication;
                if (older) {
                    bytes -= e.getValue().bytes();
                }
                return older;
            });
        }
    }

    private void remove(Key key) {
        Entry old = entries.remove(key);
        if (old != null) {
            bytes -= old.bytes();
        }
    }
}
