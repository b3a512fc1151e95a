package com.ecomcrm.api.serving;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServingCacheTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ShopId SHOP = ShopId.of("cache-one.myshopify.com");
    private static final ShopId OTHER = ShopId.of("cache-two.myshopify.com");
    private static final String STATEMENT = "SELECT title FROM shop_insights WHERE shop_id = 'x'";

    private final AtomicLong now = new AtomicLong();

    private ServingCache cache(long maxBytes, int maxRows, Duration maxAge) {
        return new ServingCache(new ServingCache.Settings(maxBytes, maxRows, maxAge), now::get);
    }

    private static List<JsonNode> rows(String... titles) {
        List<JsonNode> rows = new ArrayList<>();
        for (String title : titles) {
            rows.add(JSON.valueToTree(Map.of("title", title)));
        }
        return rows;
    }

    @Test
    void answersTheSameStatementOfTheSameShopAndPublication() {
        ServingCache cache = cache(1 << 20, 100, Duration.ofMinutes(5));
        cache.put(new ServingCache.Key(SHOP, 7, STATEMENT), rows("Publication 7"));

        assertThat(cache.get(new ServingCache.Key(SHOP, 7, STATEMENT))).hasValueSatisfying(found ->
                assertThat(found.get(0).get("title").asText()).isEqualTo("Publication 7"));
        assertThat(cache.hits()).isEqualTo(1);
    }

    @Test
    void neverAnswersAnotherShopEvenWithTheSameStatementAndPublication() {
        ServingCache cache = cache(1 << 20, 100, Duration.ofMinutes(5));
        cache.put(new ServingCache.Key(SHOP, 7, STATEMENT), rows("mine"));

        assertThat(cache.get(new ServingCache.Key(OTHER, 7, STATEMENT))).isEmpty();
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void dropsAShopsOlderPublicationsOnceANewerOneIsAskedFor() {
        ServingCache cache = cache(1 << 20, 100, Duration.ofMinutes(5));
        cache.put(new ServingCache.Key(SHOP, 7, STATEMENT), rows("Publication 7"));
        cache.put(new ServingCache.Key(OTHER, 7, STATEMENT), rows("other shop"));

        assertThat(cache.get(new ServingCache.Key(SHOP, 8, STATEMENT))).isEmpty();

        assertThat(cache.get(new ServingCache.Key(SHOP, 7, STATEMENT))).as("publication 7 is gone").isEmpty();
        assertThat(cache.get(new ServingCache.Key(OTHER, 7, STATEMENT))).as("another shop keeps its own").isPresent();
        cache.put(new ServingCache.Key(SHOP, 7, STATEMENT), rows("late read of 7"));
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, STATEMENT))).as("a late read of a replaced publication is "
                + "not kept").isEmpty();
    }

    @Test
    void readsAgainAnAnswerOlderThanTheMaximumAge() {
        ServingCache cache = cache(1 << 20, 100, Duration.ofSeconds(300));
        cache.put(new ServingCache.Key(SHOP, 7, STATEMENT), rows("before the erasure"));

        now.addAndGet(Duration.ofSeconds(299).toNanos());
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, STATEMENT))).isPresent();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, STATEMENT))).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void keepsWithinItsMemoryBoundByDroppingTheLeastRecentlyUsed() {
        long oneEntry = ServingCache.BYTES_PER_ENTRY + 2L * "q1".length() + ServingCache.BYTES_PER_VALUE;
        ServingCache cache = cache(oneEntry * 4, 100, Duration.ofMinutes(5));
        for (int i = 1; i <= 4; i++) {
            cache.put(new ServingCache.Key(SHOP, 7, "q" + i), rows("answer " + i));
        }
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, "q1"))).isPresent(); // q2 is now the least recently used

        cache.put(new ServingCache.Key(SHOP, 7, "q5"), rows("answer 5"));

        assertThat(cache.size()).isEqualTo(4);
        assertThat(cache.estimatedBytes()).isLessThanOrEqualTo(oneEntry * 4);
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, "q2"))).isEmpty();
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, "q1"))).isPresent();
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, "q5"))).isPresent();
    }

    @Test
    void keepsNoAnswerWithMoreRowsThanItsLimit() {
        ServingCache cache = cache(1 << 20, 2, Duration.ofMinutes(5));
        cache.put(new ServingCache.Key(SHOP, 7, STATEMENT), rows("a", "b", "c"));

        assertThat(cache.get(new ServingCache.Key(SHOP, 7, STATEMENT))).isEmpty();
    }

    @Test
    void isOffWithNoMemory() {
        ServingCache cache = cache(0, 100, Duration.ofMinutes(5));
        cache.put(new ServingCache.Key(SHOP, 7, STATEMENT), rows("a"));

        assertThat(cache.enabled()).isFalse();
        assertThat(cache.get(new ServingCache.Key(SHOP, 7, STATEMENT))).isEmpty();
    }

    @Test
    void readsItsBoundsFromTheEnvironment() {
        ServingCache.Settings settings = ServingCache.Settings.from(Map.of("ECOMCRM_SERVING_CACHE_MB", "16",
                "ECOMCRM_SERVING_CACHE_MAX_AGE_SECONDS", "60"));

        assertThat(settings.maxBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(settings.maxAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(ServingCache.Settings.from(Map.of())).isEqualTo(ServingCache.Settings.DEFAULT);
        assertThatThrownBy(() -> ServingCache.Settings.from(Map.of("ECOMCRM_SERVING_CACHE_MB", "lots")))
                .hasMessage("Cannot read ECOMCRM_SERVING_CACHE_MB: 'lots' is not a whole number >= 0");
    }
}
