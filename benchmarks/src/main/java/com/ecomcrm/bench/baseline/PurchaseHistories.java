package com.ecomcrm.bench.baseline;

import com.ecomcrm.models.CustomerHistory;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Customers' BG/NBD summaries (x, t_x, T) from their orders, computed the way the pipeline's predictions stage
 * computes them, so that the lifetimes baseline and our fit see the same customers as the nightly run: the orders
 * that count for RFM, reduced to their UTC purchase days; x = purchase days after the first, t_x = days from the
 * first to the last purchase day / 7, T = days from the first purchase day to the as-of date / 7.
 */
public final class PurchaseHistories {
    private PurchaseHistories() {
    }

    public static List<CustomerHistory> of(List<BaselineOrder> orders, LocalDate asOf) {
        LocalDate endExclusive = asOf.plusDays(1);
        Map<String, TreeSet<LocalDate>> days = new TreeMap<>();
        for (BaselineOrder o : orders) {
            LocalDate day = o.processedAt().atZone(ZoneOffset.UTC).toLocalDate();
            if (!counts(o) || !day.isBefore(endExclusive)) {
                continue;
            }
            days.computeIfAbsent(o.shop().domain() + "/" + o.customerId(), k -> new TreeSet<>()).add(day);
        }
        List<CustomerHistory> histories = new ArrayList<>(days.size());
        days.forEach((customer, purchaseDays) -> {
            LocalDate first = purchaseDays.first();
            long txDays = ChronoUnit.DAYS.between(first, purchaseDays.last());
            long ageDays = ChronoUnit.DAYS.between(first, asOf);
            histories.add(new CustomerHistory(customer, purchaseDays.size() - 1, txDays / 7.0, ageDays / 7.0, 0));
        });
        return histories;
    }

    /** Not a test, not cancelled, a positive total with something left after refunds (QualifyingOrders). */
    static boolean counts(BaselineOrder o) {
        BigDecimal net = o.totalPrice().subtract(o.totalRefunded());
        return !o.test() && o.cancelledAt() == null && o.totalPrice().signum() > 0 && net.signum() > 0;
    }
}
