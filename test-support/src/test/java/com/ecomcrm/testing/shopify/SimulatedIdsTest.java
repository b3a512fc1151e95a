package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatedIdsTest {
    private static final Instant END = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant START = END.minus(Duration.ofDays(730));
    /** bin/bench's seed (benchmarks' Scale.SEED), whose medium scale generates 1,000 shops. */
    private static final long BENCH_SEED = 20261010L;

    @Test
    @DisplayName("two shops generated from the same seed share no customer, order, line, refund, checkout or product id")
    void shopsShareNoId() {
        SimulatedStore first = StoreGenerator.generate(7, SimulatedShops.domain(1), 400, START, END);
        SimulatedStore second = StoreGenerator.generate(7, SimulatedShops.domain(2), 400, START, END);
        Set<Long> firstIds = ids(first);
        Set<Long> secondIds = ids(second);

        assertThat(firstIds).hasSizeGreaterThan(2_000);
        assertThat(secondIds).hasSizeGreaterThan(2_000).doesNotContainAnyElementsOf(firstIds);
        assertThat(first.orders().stream().flatMap(o -> o.refunds().stream())).isNotEmpty();
        assertThat(first.checkouts()).isNotEmpty();
    }

    @Test
    @DisplayName("ids are the same for the same seed and shop, and differ with the seed")
    void deterministicPerSeedAndShop() {
        ShopId shop = SimulatedShops.domain(1);
        assertThat(ids(StoreGenerator.generate(7, shop, 100, START, END)))
                .isEqualTo(ids(StoreGenerator.generate(7, shop, 100, START, END)))
                .doesNotContainAnyElementsOf(ids(StoreGenerator.generate(8, shop, 100, START, END)));
    }

    @Test
    @DisplayName("every id stays below 2^53, so the dashboard's JavaScript reads it exactly, and types never meet")
    void idsFitJavaScriptNumbersAndTypesKeepApart() {
        SimulatedIds last = new SimulatedIds(SimulatedIds.BLOCKS - 1);
        long highest = last.id(SimulatedIds.Resource.PRODUCT_VARIANT, SimulatedIds.IDS_PER_SHOP - 1);
        assertThat(highest).isLessThan(1L << 53);

        SimulatedIds first = new SimulatedIds(0);
        for (SimulatedIds.Resource type : SimulatedIds.Resource.values()) {
            if (type.ordinal() > 0) {
                SimulatedIds.Resource before = SimulatedIds.Resource.values()[type.ordinal() - 1];
                assertThat(first.id(type, 1)).as(type.name())
                        .isGreaterThan(last.id(before, SimulatedIds.IDS_PER_SHOP - 1));
            }
        }
    }

    @Test
    @DisplayName("the shops of every bench scale (1,000 at medium) and the tests' seeds get blocks of their own")
    void benchShopsGetDistinctBlocks() {
        Set<Long> blocks = new HashSet<>();
        List<ShopId> shops = Stream.concat(SimulatedShops.domains(1_000).stream(),
                Stream.of(ShopId.of("bench-webhooks.myshopify.com"))).toList();
        for (ShopId shop : shops) {
            assertThat(blocks.add(SimulatedIds.of(BENCH_SEED, shop).block())).as(shop.domain()).isTrue();
        }
    }

    @Test
    @DisplayName("a refund line is numbered as the line item it gives back, in its own range")
    void refundLineFollowsItsLine() {
        SimulatedIds ids = SimulatedIds.of(7, SimulatedShops.domain(1));
        long line = ids.id(SimulatedIds.Resource.LINE_ITEM, 42);
        assertThat(ids.refundLineOf(line)).isEqualTo(ids.id(SimulatedIds.Resource.REFUND_LINE_ITEM, 42));
    }

    @Test
    @DisplayName("a shop with more resources of a type than its block holds is refused, not wrapped into another's")
    void overflowIsRefused() {
        SimulatedIds ids = new SimulatedIds(5);
        assertThatThrownBy(() -> ids.id(SimulatedIds.Resource.ORDER, SimulatedIds.IDS_PER_SHOP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot number ORDER 10000000: a simulated shop holds 1 to 9999999 of each type");
        assertThatThrownBy(() -> new SimulatedIds(SimulatedIds.BLOCKS))
                .hasMessage("Cannot use id block 100000000: it must be in [0, 100000000)");
    }

    private static Set<Long> ids(SimulatedStore store) {
        Set<Long> ids = new HashSet<>();
        store.customers().forEach(c -> ids.add(c.id()));
        store.checkouts().forEach(c -> ids.add(c.id()));
        for (SimulatedOrder order : store.orders()) {
            ids.add(order.id());
            order.lines().forEach(l -> {
                ids.add(l.id());
                ids.add(l.productId());
                ids.add(l.variantId());
            });
            order.refunds().forEach(r -> {
                ids.add(r.id());
                r.lines().forEach(l -> ids.add(l.id()));
            });
        }
        return ids;
    }
}
