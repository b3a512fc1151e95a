package com.ecomcrm.bench;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.shopify.SimulatedShops;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.StoreGenerator;

import java.time.Instant;
import java.util.AbstractList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The bulk shops of a scale as a list whose elements are generated when read and never kept: at medium scale (10M
 * orders) the stores do not fit in the benchmark JVM together, so every stage that walks them (bulk import,
 * baselines) holds one store at a time. Generation is seeded and deterministic, so reading a shop twice gives the same
 * store; the cost is the generation time again (a simulator cost, never inside a timed stage of ours).
 */
final class GeneratedStores extends AbstractList<SimulatedStore> {
    private final Scale scale;
    private final List<ShopId> shops;
    private final Instant historyStart;
    private final Instant historyEnd;

    GeneratedStores(Scale scale, Instant historyStart, Instant historyEnd) {
        this.scale = requireNonNull(scale, "scale is null");
        this.historyStart = requireNonNull(historyStart, "historyStart is null");
        this.historyEnd = requireNonNull(historyEnd, "historyEnd is null");
        this.shops = List.copyOf(SimulatedShops.domains(scale.shops()));
    }

    List<ShopId> shops() {
        return shops;
    }

    @Override
    public SimulatedStore get(int index) {
        return StoreGenerator.generate(Scale.SEED, shops.get(index), scale.customersPerShop(), historyStart,
                historyEnd, scale.purchases());
    }

    @Override
    public int size() {
        return shops.size();
    }
}
