package com.ecomcrm.api.analytics;

import java.math.BigDecimal;
import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/**
 * One day of a shop's KPIs (docs/warehouse-contract.md, {@code shop_daily_kpis}): counted orders of the day, their net
 * revenue and average value, first vs repeat orders, distinct buyers, and the cumulative customers (at least one
 * order) and repeat customers (at least two) at the end of the day.
 */
public record DailyKpis(LocalDate date, long orders, BigDecimal revenue, BigDecimal aov, long newCustomerOrders,
                        long returningCustomerOrders, long buyers, long customers, long repeatCustomers,
                        double repeatRate) {
    public DailyKpis {
        requireNonNull(date, "date is null");
        requireNonNull(revenue, "revenue is null");
        requireNonNull(aov, "aov is null");
    }
}
