package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StoreGeneratorTest {
    private static final ShopId SHOP = ShopId.of("sim-1.myshopify.com");
    private static final Instant END = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant START = END.minus(Duration.ofDays(730));
    private static SimulatedStore large;

    @BeforeAll
    static void generateLargeShop() {
        large = StoreGenerator.generate(20240601L, SHOP, 20_000, START, END);
    }

    @Test
    @DisplayName("the same seed and shop give byte-identical bulk files")
    void sameSeedSameBytes() {
        SimulatedStore first = StoreGenerator.generate(7, SHOP, 500, START, END);
        SimulatedStore second = StoreGenerator.generate(7, SHOP, 500, START, END);
        for (BulkObjectType type : BulkObjectType.values()) {
            assertThat(BulkJsonlWriter.toBytes(second, type)).isEqualTo(BulkJsonlWriter.toBytes(first, type));
        }
        assertThat(second).isEqualTo(first);
    }

    @Test
    @DisplayName("a different seed or a different shop gives a different store")
    void differentSeedDiffers() {
        byte[] base = BulkJsonlWriter.toBytes(StoreGenerator.generate(7, SHOP, 500, START, END), BulkObjectType.ORDERS);
        byte[] otherSeed = BulkJsonlWriter.toBytes(StoreGenerator.generate(8, SHOP, 500, START, END), BulkObjectType.ORDERS);
        byte[] otherShop = BulkJsonlWriter.toBytes(
                StoreGenerator.generate(7, ShopId.of("sim-2.myshopify.com"), 500, START, END), BulkObjectType.ORDERS);
        assertThat(otherSeed).isNotEqualTo(base);
        assertThat(otherShop).isNotEqualTo(base);
    }

    @Test
    @DisplayName("every order's lines sum exactly to its total, in cents, and what was refunded is its refunds' sum")
    void linesSumToTotals() {
        for (SimulatedOrder order : large.orders()) {
            BigDecimal sum = order.lines().stream().map(l -> l.unitPrice().multiply(BigDecimal.valueOf(l.quantity())))
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(sum).as(order.name()).isEqualByComparingTo(order.totalPrice());
            assertThat(order.totalPrice().scale()).isEqualTo(2);
            assertThat(order.lines()).hasSizeBetween(1, 3);
            assertThat(order.lines()).allSatisfy(l -> assertThat(l.unitPrice().signum()).isPositive());
            assertThat(order.totalRefunded()).isEqualByComparingTo(order.refunds().stream()
                    .map(SimulatedRefund::amount).reduce(BigDecimal.ZERO, BigDecimal::add));
            assertThat(order.totalRefunded()).isBetween(BigDecimal.ZERO.setScale(2), order.totalPrice());
            for (SimulatedLine line : order.lines()) {
                assertThat(order.refundedQuantity(line.id())).as(order.name()).isBetween(0, line.quantity());
            }
            assertThat(order.currency()).isEqualTo("USD");
            assertThat(order.test()).isFalse();
        }
    }

    @Test
    @DisplayName("ids are unique, names run #1001 upwards in creation order, and times stay inside the history")
    void idsNamesAndTimes() {
        Set<Long> lineIds = new HashSet<>();
        List<SimulatedOrder> orders = large.orders();
        for (int i = 0; i < orders.size(); i++) {
            SimulatedOrder order = orders.get(i);
            assertThat(order.name()).isEqualTo("#" + (1001 + i));
            assertThat(order.gid()).isEqualTo("gid://shopify/Order/" + order.id());
            assertThat(order.createdAt()).isBetween(START, END);
            assertThat(order.updatedAt()).isBetween(order.createdAt(), END);
            if (i > 0) {
                assertThat(order.createdAt()).isAfterOrEqualTo(orders.get(i - 1).createdAt());
                assertThat(order.id()).isGreaterThan(orders.get(i - 1).id());
            }
            order.lines().forEach(l -> assertThat(lineIds.add(l.id())).isTrue());
        }
        assertThat(large.customers().stream().map(SimulatedCustomer::id).distinct()).hasSize(20_000);
        assertThat(large.customers().stream().map(c -> c.email().toLowerCase()).distinct()).hasSize(20_000);
    }

    @Test
    @DisplayName("edge cases appear at their intended rates: 10% prospects, 3% cancelled, 2% refunded, ~3% partly")
    void edgeCaseRates() {
        Map<Long, List<SimulatedOrder>> byCustomer = large.ordersByCustomer();
        double prospects = byCustomer.values().stream().filter(List::isEmpty).count() / 20_000.0;
        double cancelled = large.orders().stream().filter(SimulatedOrder::isCancelled).count()
                / (double) large.orders().size();
        double refunded = large.orders().stream().filter(o -> o.financialStatus().equals("REFUNDED")).count()
                / (double) large.orders().size();
        assertThat(prospects).isBetween(0.09, 0.11);
        assertThat(cancelled).isBetween(0.025, 0.035);
        assertThat(refunded).isBetween(0.016, 0.024);
        assertThat(large.orders()).filteredOn(SimulatedOrder::isCancelled)
                .allSatisfy(o -> assertThat(o.financialStatus()).isEqualTo("VOIDED"));
        assertThat(large.orders()).filteredOn(o -> o.financialStatus().equals("REFUNDED"))
                .allSatisfy(o -> assertThat(o.totalRefunded()).isEqualByComparingTo(o.totalPrice()));
        // Partial refunds: drawn for 3% of the paid orders, of which those with a single unit cannot have one.
        double partly = large.orders().stream().filter(o -> o.financialStatus().equals("PARTIALLY_REFUNDED")).count()
                / (double) large.orders().size();
        assertThat(partly).isBetween(0.005, 0.03);
        assertThat(large.orders()).filteredOn(o -> o.financialStatus().equals("PARTIALLY_REFUNDED"))
                .allSatisfy(o -> {
                    assertThat(o.refunds()).hasSize(1);
                    assertThat(o.totalRefunded()).isPositive().isLessThan(o.totalPrice());
                    assertThat(o.refunds().get(0).createdAt()).isAfter(o.createdAt()).isBeforeOrEqualTo(END);
                    assertThat(o.updatedAt()).isAfterOrEqualTo(o.refunds().get(0).createdAt());
                });
        assertThat(large.orders()).filteredOn(o -> o.refunds().isEmpty())
                .allSatisfy(o -> assertThat(o.totalRefunded()).isZero());
    }

    /**
     * BG/NBD (Fader, Hardie and Lee 2005), independent of the generator's code: for a customer observed for t weeks
     * after the first purchase, P(X(t) = 0) = (alpha/(alpha+t))^r and
     * E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r * 2F1(r, b; a+b-1; t/(alpha+t))].
     * The expectation is taken over the buyers' actual observation lengths; the tolerance is four standard errors,
     * so a wrong process (say, dropping out after the first purchase, or lambda with the wrong scale) fails.
     */
    @Test
    @DisplayName("repeat purchases match the BG/NBD expectation for the CDNOW parameters")
    void bgNbdRealism() {
        Map<Long, List<SimulatedOrder>> byCustomer = large.ordersByCustomer();
        double sumRepeats = 0;
        double sumSquares = 0;
        double expectedRepeats = 0;
        double expectedZero = 0;
        int zero = 0;
        int buyers = 0;
        for (List<SimulatedOrder> orders : byCustomer.values()) {
            if (orders.isEmpty()) {
                continue;
            }
            buyers++;
            double t = Duration.between(orders.get(0).createdAt(), END).toSeconds() / (7 * 86400.0);
            int repeats = orders.size() - 1;
            sumRepeats += repeats;
            sumSquares += (double) repeats * repeats;
            zero += repeats == 0 ? 1 : 0;
            expectedRepeats += expectedRepeatPurchases(t);
            expectedZero += Math.pow(4.414 / (4.414 + t), 0.243);
        }
        double mean = sumRepeats / buyers;
        double sd = Math.sqrt(sumSquares / buyers - mean * mean);
        double expectedMean = expectedRepeats / buyers;
        assertThat(mean).as("mean repeat purchases per buyer (expected %.3f)", expectedMean)
                .isCloseTo(expectedMean, org.assertj.core.data.Offset.offset(4 * sd / Math.sqrt(buyers)));

        double zeroShare = zero / (double) buyers;
        double expectedZeroShare = expectedZero / buyers;
        double zeroError = Math.sqrt(expectedZeroShare * (1 - expectedZeroShare) / buyers);
        assertThat(zeroShare).as("share of single-purchase buyers (expected %.3f)", expectedZeroShare)
                .isCloseTo(expectedZeroShare, org.assertj.core.data.Offset.offset(4 * zeroError));
    }

    @Test
    @DisplayName("order values follow the Gamma-Gamma mean p*gamma/(q-1) = $35.22")
    void gammaGammaMeanOrderValue() {
        double mean = large.orders().stream().mapToDouble(o -> o.totalPrice().doubleValue()).average().orElseThrow();
        assertThat(mean).isBetween(35.22 * 0.93, 35.22 * 1.07);
    }

    static double expectedRepeatPurchases(double t) {
        double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
        double z = t / (alpha + t);
        double c = a + b - 1;
        // Gauss hypergeometric series; z < 1 so it converges.
        double term = 1;
        double sum = 1;
        for (int n = 0; n < 100_000 && Math.abs(term) > 1e-14; n++) {
            term *= (r + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
        }
        return (a + b - 1) / (a - 1) * (1 - Math.pow(alpha / (alpha + t), r) * sum);
    }
}
