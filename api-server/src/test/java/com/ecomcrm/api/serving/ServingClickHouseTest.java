package com.ecomcrm.api.serving;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.ClickHouseTarget;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.schema.SchemaMigrator;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The serving cache on the real ClickHouse: a switched publication is served from the very next request on, and a
 * shop is only ever answered with its own rows, even by statements and publication ids identical to another shop's.
 */
class ServingClickHouseTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ShopId SWITCHING = ShopId.of("serving-" + RUN + "-switching.myshopify.com");
    private static final ShopId RACING = ShopId.of("serving-" + RUN + "-racing.myshopify.com");
    private static final ShopId FIRST = ShopId.of("serving-" + RUN + "-first.myshopify.com");
    private static final ShopId SECOND = ShopId.of("serving-" + RUN + "-second.myshopify.com");
    private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    /** What every reader does: the rows of the shop's current publication, picked inside the query. */
    private static final SqlTemplate TITLES = SqlTemplate.of("""
            SELECT toString(publish_id) AS publication, title FROM shop_insights
            WHERE shop_id = {shop}
              AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})
            ORDER BY rank""");

    private static ClickHouseGateway clickHouse;

    @BeforeAll
    static void start() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        SchemaMigrator.migrateAll(PostgresTarget.fromEnv(), ClickHouseTarget.fromEnv());
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
    }

    @AfterAll
    static void stop() {
        if (clickHouse != null) {
            for (ShopId shop : List.of(SWITCHING, RACING, FIRST, SECOND)) {
                for (String table : List.of("shop_insights", "shop_publications")) {
                    clickHouse.forShop(shop).execute(SqlTemplate.of("ALTER TABLE " + table
                            + " DELETE WHERE shop_id = {shop}"));
                }
            }
            clickHouse.close();
        }
    }

    private static ServingCache newCache() {
        return new ServingCache(new ServingCache.Settings(8L * 1024 * 1024, 100, Duration.ofMinutes(5)));
    }

    /** Publication {@code p} of the shop: one insight titled with it, then the publication row, as the publisher does. */
    private static void publish(ShopId shop, long p, String title) {
        Map<String, Object> insight = new LinkedHashMap<>();
        insight.put("publish_id", p);
        insight.put("as_of_date", DAY);
        insight.put("insight_id", String.format("%016x%04x", p, 1));
        insight.put("kind", "FLOW_OFF");
        insight.put("subject", "s-" + p);
        insight.put("severity", "MEDIUM");
        insight.put("rank", 1);
        insight.put("title", title);
        insight.put("body", "Body");
        insight.put("numbers", "{}");
        insight.put("action_label", "Act");
        insight.put("action_path", "/flows");
        clickHouse.forShop(shop).insertRows("shop_insights", List.of(insight));
        clickHouse.forShop(shop).insertRows("shop_publications", List.of(Map.of("publish_id", p, "as_of_date", DAY,
                "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 1)));
    }

    private static List<String> titles(ServingClickHouse serving, ShopId shop) {
        return serving.forShop(shop).select(TITLES).stream().map(row -> row.get("title").asText()).toList();
    }

    @Test
    void servesRepeatedReadsFromMemoryAndTheNewPublicationRightAfterASwitch() {
        ServingCache cache = newCache();
        ServingClickHouse serving = ServingClickHouse.cached(clickHouse, cache);
        publish(SWITCHING, 1, "Publication 1");

        assertThat(titles(serving, SWITCHING)).containsExactly("Publication 1");
        assertThat(titles(serving, SWITCHING)).containsExactly("Publication 1");
        assertThat(cache.hits()).as("the second read is answered from memory").isEqualTo(1);

        publish(SWITCHING, 2, "Publication 2");

        assertThat(titles(serving, SWITCHING)).as("the first read after the switch").containsExactly("Publication 2");
        assertThat(cache.misses()).isEqualTo(2);
        assertThat(titles(serving, SWITCHING)).containsExactly("Publication 2");
        assertThat(cache.hits()).isEqualTo(2);
    }

    @Test
    void answersEachShopWithItsOwnRowsForTheSameStatementAndPublicationId() {
        ServingCache cache = newCache();
        ServingClickHouse serving = ServingClickHouse.cached(clickHouse, cache);
        publish(FIRST, 5, "first shop's insight");
        publish(SECOND, 5, "second shop's insight");

        for (int i = 0; i < 3; i++) {
            assertThat(titles(serving, FIRST)).containsExactly("first shop's insight");
            assertThat(titles(serving, SECOND)).containsExactly("second shop's insight");
        }
        assertThat(cache.misses()).as("each shop read once from ClickHouse").isEqualTo(2);
        assertThat(cache.hits()).isEqualTo(4);
    }

    @Test
    void aReadThatStartsAfterASwitchNeverSeesAnOlderPublication() throws Exception {
        ServingCache cache = newCache();
        ServingClickHouse serving = ServingClickHouse.cached(clickHouse, cache);
        publish(RACING, 1, "Publication 1");
        AtomicLong switched = new AtomicLong(1); // the newest publication whose switch has completed
        AtomicBoolean publishing = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> running = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                running.add(readers.submit(() -> {
                    List<String> stale = new ArrayList<>();
                    int reads = 0;
                    while (publishing.get() || reads < 5) {
                        long atLeast = switched.get();
                        List<JsonNode> rows = serving.forShop(RACING).select(TITLES);
                        long read = Long.parseLong(rows.get(0).get("publication").asText());
                        if (read < atLeast || !rows.get(0).get("title").asText().equals("Publication " + read)) {
                            stale.add("read " + read + " after " + atLeast + " was switched in");
                        }
                        reads++;
                    }
                    return stale;
                }));
            }
            for (long p = 2; p <= 10; p++) {
                publish(RACING, p, "Publication " + p);
                switched.set(p);
                Thread.sleep(20);
            }
            publishing.set(false);
            for (Future<List<String>> reader : running) {
                assertThat(reader.get()).isEmpty();
            }
        }
        finally {
            readers.shutdownNow();
        }
        assertThat(cache.hits()).as("reads between switches come from memory").isPositive();
        assertThat(titles(serving, RACING)).containsExactly("Publication 10");
    }
}
