package com.ecomcrm.api.shopify;

import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.api.config.ShopifySettings;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingZone;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs the initial import of one shop by hand:
 * {@code bin/run api-server com.ecomcrm.api.shopify.BulkImportMain SHOP ACCESS_TOKEN}.
 * The Admin API endpoint comes from {@code ECOMCRM_SHOPIFY_ADMIN_URL} (with {@code {shop}}), which defaults to
 * Shopify's own; the demo points it at the simulator. Until install and token storage land (issue #3), the access
 * token is an argument.
 */
public final class BulkImportMain {
    /** Kept for callers of the constant; the one pinned value is {@link ShopifySettings#DEFAULT_GRAPHQL_URL}. */
    public static final String DEFAULT_ADMIN_URL = ShopifySettings.DEFAULT_GRAPHQL_URL;

    private BulkImportMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: BulkImportMain SHOP_DOMAIN ACCESS_TOKEN");
            System.exit(2);
        }
        ShopId shop = ShopId.of(args[0]);
        ApiConfig config = ApiConfig.fromEnvironment();
        String adminUrl = config.shopify().graphqlUrl();
        Supplier<Connection> postgres = () -> {
            try {
                return DriverManager.getConnection(config.postgres().jdbcUrl(), config.postgres().user(),
                        config.postgres().password());
            }
            catch (SQLException e) {
                throw new IllegalStateException("Cannot connect to PostgreSQL: " + e.getMessage(), e);
            }
        };
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (LandingZone landingZone = new LandingZone(new LandingLayout(config.landingDirectory()), Clock.systemUTC())) {
            new BulkImport(new AdminApiClient(http, adminUrl, shop, args[1]), landingZone, postgres, Clock.systemUTC(),
                    Duration.ofMillis(500), Duration.ofMinutes(30))
                    .importShop(shop);
        }
    }
}
