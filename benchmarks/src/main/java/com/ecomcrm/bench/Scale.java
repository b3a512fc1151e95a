package com.ecomcrm.bench;

import com.ecomcrm.testing.shopify.PurchaseProcess;

import java.util.Locale;

/**
 * How much data one benchmark run makes. Seeds are fixed, so a scale always means the same stores and the same
 * webhooks. The simulator's BG/NBD process gives about 2.1 orders per customer over its two-year history (measured:
 * 50,000 customers, 105,864 orders; about 10% of customers are prospects with no order), so
 * {@code shops * customersPerShop * 2.1} is roughly the order count.
 *
 * @param shops                  stores imported through the bulk operation
 * @param customersPerShop       customers of each of those stores
 * @param webhookDeliveries      signed deliveries measured in the webhook intake (from an extra shop's timeline)
 * @param webhookWarmup          deliveries sent first and not measured (JIT, connection pools)
 * @param webhookConcurrency     requests in flight at once during the webhook intake
 * @param dashboardClients       concurrent dashboard clients
 * @param requestsPerClient      requests each dashboard client makes
 * @param purchases              the buyers' BG/NBD process of the bulk shops (CDNOW: ~2.1 orders per customer;
 *                               {@link PurchaseProcess#FREQUENT_BUYERS}: ~10)
 */
public record Scale(String name, int shops, int customersPerShop, int webhookDeliveries, int webhookWarmup,
                    int webhookConcurrency, int dashboardClients, int requestsPerClient,
                    PurchaseProcess purchases) {
    public static final long SEED = 20261010L;

    /** The same scale on its first {@code count} bulk shops only: a documented fraction (ECOMCRM_BENCH_SHOPS). */
    public Scale withShops(int count) {
        if (count < 1 || count > shops) {
            throw new IllegalArgumentException("Cannot run " + count + " shops of scale " + name + ": 1.." + shops);
        }
        return new Scale(name, count, customersPerShop, webhookDeliveries, webhookWarmup, webhookConcurrency,
                dashboardClients, requestsPerClient, purchases);
    }

    public static Scale named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            // A quick end-to-end check: a few seconds of load, a couple of thousand orders.
            case "tiny" -> new Scale("tiny", 2, 500, 2_000, 200, 32, 20, 50, PurchaseProcess.CDNOW);
            // About 100k orders: 10 shops of 4,750 customers.
            case "small" -> new Scale("small", 10, 4_750, 20_000, 1_000, 32, 20, 500,
                    PurchaseProcess.CDNOW);
            // Issue #10's production-like target: 1,000 shops, 1M customers, ~10M orders (frequent buyers: ~10
            // orders per customer). Stores are generated, served and imported one at a time (bounded memory).
            case "medium" -> new Scale("medium", 1_000, 1_000, 100_000, 2_000, 32, 20, 1_000,
                    PurchaseProcess.FREQUENT_BUYERS);
            default -> throw new IllegalArgumentException("Unknown scale '" + name + "': tiny, small or medium");
        };
    }
}
