package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The simulator's naming: shop domains, their Admin API access tokens and the API version it speaks. All derived
 * from the seed, so a test, the CLI and the demo agree without passing anything around.
 */
public final class SimulatedShops {
    /** The Admin API version the simulator serves and stamps on webhooks. */
    public static final String API_VERSION = "2025-10";

    private SimulatedShops() {
    }

    /** {@code sim-1.myshopify.com}, {@code sim-2.myshopify.com}, ... (n from 1). */
    public static ShopId domain(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Cannot name a shop: n must be at least 1, not " + n);
        }
        return ShopId.of("sim-" + n + ".myshopify.com");
    }

    public static List<ShopId> domains(int count) {
        List<ShopId> shops = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            shops.add(domain(n));
        }
        return shops;
    }

    /** {@code shpat_sim_} and 32 hex digits of SHA-256(seed, shop): the shop's offline access token. */
    public static String accessToken(long seed, ShopId shop) {
        byte[] digest = StoreGenerator.sha256("ecomcrm-simulator|access-token|" + seed + "|" + shop.domain());
        return "shpat_sim_" + HexFormat.of().formatHex(digest, 0, 16);
    }
}
