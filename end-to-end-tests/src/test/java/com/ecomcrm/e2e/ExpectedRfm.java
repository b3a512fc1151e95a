package com.ecomcrm.e2e;

import com.ecomcrm.domain.QuintileScore;
import com.ecomcrm.domain.RfmScores;
import com.ecomcrm.domain.Segment;
import com.ecomcrm.testing.shopify.SimulatedOrder;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * RFM computed from the simulator's own data, in plain Java, one customer at a time: the reference the pipeline's
 * Spark answer is checked against. It shares nothing with the pipeline but the written-down rules: which orders count
 * (not cancelled, not fully refunded, not zero, not a test, placed by the end of the logical date), the quintile rule
 * of {@link QuintileScore} and the segment grid of {@link RfmScores#segment()}.
 */
final class ExpectedRfm {
    record Customer(long customerId, int recencyDays, int frequency, BigDecimal monetary, int r, int f, int m,
                    Segment segment) {
    }

    record SegmentTotal(long customers, BigDecimal revenue) {
    }

    private ExpectedRfm() {
    }

    /**
     * @param customerIds every customer of the shop, buyers or not
     * @param orders every order of the shop, in any state
     */
    static Map<Long, Customer> compute(Collection<Long> customerIds, Collection<SimulatedOrder> orders, LocalDate asOf) {
        Map<Long, List<SimulatedOrder>> qualifying = new TreeMap<>();
        for (SimulatedOrder order : orders) {
            if (counts(order, asOf)) {
                qualifying.computeIfAbsent(order.customerId(), id -> new ArrayList<>()).add(order);
            }
        }
        record Raw(long id, int recency, int frequency, BigDecimal monetary) {
        }
        List<Raw> buyers = new ArrayList<>();
        qualifying.forEach((customer, list) -> {
            LocalDate last = list.stream().map(o -> o.processedAt().atOffset(ZoneOffset.UTC).toLocalDate())
                    .max(LocalDate::compareTo).orElseThrow();
            BigDecimal monetary = list.stream().map(o -> o.totalPrice().subtract(o.totalRefunded()))
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            buyers.add(new Raw(customer, (int) ChronoUnit.DAYS.between(last, asOf), list.size(), monetary));
        });
        Map<Long, Customer> result = new TreeMap<>();
        int total = buyers.size();
        for (Raw buyer : buyers) {
            long recencyWorse = buyers.stream().filter(other -> other.recency() > buyer.recency()).count();
            long frequencyWorse = buyers.stream().filter(other -> other.frequency() < buyer.frequency()).count();
            long monetaryWorse = buyers.stream().filter(other -> other.monetary().compareTo(buyer.monetary()) < 0)
                    .count();
            RfmScores scores = new RfmScores(QuintileScore.of(recencyWorse, total),
                    QuintileScore.of(frequencyWorse, total), QuintileScore.of(monetaryWorse, total));
            result.put(buyer.id(), new Customer(buyer.id(), buyer.recency(), buyer.frequency(), buyer.monetary(),
                    scores.recency(), scores.frequency(), scores.monetary(), scores.segment()));
        }
        for (long id : customerIds) {
            result.putIfAbsent(id, new Customer(id, -1, 0, BigDecimal.ZERO.setScale(2), 0, 0, 0, Segment.PROSPECTS));
        }
        return result;
    }

    static Map<Segment, SegmentTotal> bySegment(Map<Long, Customer> customers) {
        Map<Segment, SegmentTotal> totals = new EnumMap<>(Segment.class);
        for (Segment segment : Segment.values()) {
            totals.put(segment, new SegmentTotal(0, BigDecimal.ZERO.setScale(2)));
        }
        for (Customer customer : customers.values()) {
            SegmentTotal sum = totals.get(customer.segment());
            totals.put(customer.segment(), new SegmentTotal(sum.customers() + 1,
                    sum.revenue().add(customer.monetary())));
        }
        return totals;
    }

    private static boolean counts(SimulatedOrder order, LocalDate asOf) {
        BigDecimal net = order.totalPrice().subtract(order.totalRefunded());
        return !order.isCancelled()
                && !order.test()
                && order.totalRefunded().compareTo(order.totalPrice()) < 0
                && net.signum() > 0
                && order.processedAt().isBefore(asOf.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }
}
