package com.ecomcrm.api.shop;

import com.ecomcrm.api.templates.EmailApiHarness;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/shop} on the whole API server and the real PostgreSQL {@code shops} table. */
class ShopApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path landing;
    private static EmailApiHarness api;

    @BeforeAll
    static void start() {
        api = EmailApiHarness.start(landing, Map.of());
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.sql("DELETE FROM shops WHERE shop_domain LIKE $1", "shop-" + RUN + "-%");
            api.close();
        }
    }

    private static ShopId shop(String name) {
        return ShopId.of("shop-" + RUN + "-" + name + ".myshopify.com");
    }

    private static void details(ShopId shop, String name, String currency, String timeZone) {
        api.sql("INSERT INTO shops (shop_domain, installed_at, name, currency, timezone) VALUES ($1, now(), $2, $3, $4)",
                shop.domain(), name, currency, timeZone);
    }

    @Test
    void theShopsNameCurrencyAndTimeZoneAsShopifyDescribedThem() {
        ShopId paris = shop("paris");
        ShopId tokyo = shop("tokyo");
        details(paris, "Linen & Co", "EUR", "Europe/Paris");
        details(tokyo, "Tokyo Tea", "JPY", "Asia/Tokyo");

        EmailApiHarness.Answer answer = api.get(paris, "/api/shop");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).isEqualTo(new JsonObject().put("domain", paris.domain()).put("name", "Linen & Co")
                .put("currency", "EUR").put("time_zone", "Europe/Paris"));
        assertThat(api.get(tokyo, "/api/shop").json()).isEqualTo(new JsonObject().put("domain", tokyo.domain())
                .put("name", "Tokyo Tea").put("currency", "JPY").put("time_zone", "Asia/Tokyo"));
        assertThat(answer.body()).doesNotContain("Tokyo", "JPY");
    }

    @Test
    void unknownDetailsAreNullSoTheDashboardFallsBack() {
        ShopId notSynced = shop("not-synced");
        ShopId garbled = shop("garbled");
        api.sql("INSERT INTO shops (shop_domain, installed_at) VALUES ($1, now())", notSynced.domain());
        details(garbled, "  ", "euro", "Mars/Olympus_Mons");

        assertThat(api.get(notSynced, "/api/shop").json()).isEqualTo(new JsonObject()
                .put("domain", notSynced.domain()).putNull("name").putNull("currency").putNull("time_zone"));
        assertThat(api.get(garbled, "/api/shop").json()).isEqualTo(new JsonObject()
                .put("domain", garbled.domain()).putNull("name").putNull("currency").putNull("time_zone"));
        // A session for a shop without any row (not installed through this server): the same shape, not an error.
        ShopId stranger = shop("stranger");
        assertThat(api.get(stranger, "/api/shop").json()).isEqualTo(new JsonObject()
                .put("domain", stranger.domain()).putNull("name").putNull("currency").putNull("time_zone"));
    }
}
