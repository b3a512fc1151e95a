package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns purchase lines into {@link CustomerHistory} summaries with the conventions of the published CDNOW fits
 * (Fader, Hardie and Lee 2005; Fader and Hardie's Gamma-Gamma note; {@code lifetimes}'
 * {@code summary_data_from_transaction_data} with a monetary column):
 *
 * <ul>
 *   <li>time is in weeks, a number of days divided by 7;</li>
 *   <li>all lines of a customer on one day are one purchase occasion, their amounts summed;</li>
 *   <li>every line counts, zero-value ones too;</li>
 *   <li>only lines on or before the calibration end count; customers whose first purchase is after it are left
 *       out;</li>
 *   <li>x is the number of purchase days after the first, t_x the weeks from the first to the last of them, T the
 *       weeks from the first purchase to the calibration end (a first purchase on 1997-01-01 with the end 1997-09-30
 *       gives T = 272 / 7 = 38.86);</li>
 *   <li>m_x is the mean value of the x repeat purchase days, the first purchase day excluded.</li>
 * </ul>
 */
public final class CalibrationSummary {
    private static final double DAYS_PER_WEEK = 7.0;

    private CalibrationSummary() {
    }

    /** One history per customer who bought on or before {@code calibrationEnd}, ordered by customer id. */
    public static List<CustomerHistory> of(List<Purchase> purchases, LocalDate calibrationEnd) {
        Objects.requireNonNull(purchases, "purchases is null");
        Objects.requireNonNull(calibrationEnd, "calibrationEnd is null");
        List<CustomerHistory> histories = new ArrayList<>();
        for (Map.Entry<String, TreeMap<LocalDate, BigDecimal>> customer : daysByCustomer(purchases).entrySet()) {
            CustomerHistory history = summarise(customer.getKey(), customer.getValue(), calibrationEnd);
            if (history != null) {
                histories.add(history);
            }
        }
        return histories;
    }

    /**
     * For every customer who bought on or before {@code calibrationEnd}, the number of distinct purchase days in
     * (calibrationEnd, holdoutEnd]: the holdout count that the BG/NBD conditional expectation predicts.
     */
    public static Map<String, Integer> holdoutPurchaseDays(List<Purchase> purchases, LocalDate calibrationEnd,
                                                           LocalDate holdoutEnd) {
        Objects.requireNonNull(purchases, "purchases is null");
        Objects.requireNonNull(calibrationEnd, "calibrationEnd is null");
        Objects.requireNonNull(holdoutEnd, "holdoutEnd is null");
        if (!holdoutEnd.isAfter(calibrationEnd)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot count holdout purchases: holdout end "
                    + holdoutEnd + " is not after calibration end " + calibrationEnd);
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Map.Entry<String, TreeMap<LocalDate, BigDecimal>> customer : daysByCustomer(purchases).entrySet()) {
            TreeMap<LocalDate, BigDecimal> days = customer.getValue();
            if (days.firstKey().isAfter(calibrationEnd)) {
                continue;
            }
            counts.put(customer.getKey(), days.subMap(calibrationEnd, false, holdoutEnd, true).size());
        }
        return counts;
    }

    /** Weeks between two days: the number of days divided by 7. */
    public static double weeksBetween(LocalDate from, LocalDate to) {
        return ChronoUnit.DAYS.between(from, to) / DAYS_PER_WEEK;
    }

    private static CustomerHistory summarise(String id, TreeMap<LocalDate, BigDecimal> days, LocalDate end) {
        LocalDate first = days.firstKey();
        if (first.isAfter(end)) {
            return null;
        }
        Collection<BigDecimal> repeatValues = days.subMap(first, false, end, true).values();
        int x = repeatValues.size();
        double tx = x == 0 ? 0.0 : weeksBetween(first, days.floorKey(end));
        double age = weeksBetween(first, end);
        double mx = 0.0;
        if (x > 0) {
            BigDecimal total = repeatValues.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            mx = total.divide(BigDecimal.valueOf(x), 10, RoundingMode.HALF_EVEN).doubleValue();
        }
        return new CustomerHistory(id, x, tx, age, mx);
    }

    private static Map<String, TreeMap<LocalDate, BigDecimal>> daysByCustomer(List<Purchase> purchases) {
        Map<String, TreeMap<LocalDate, BigDecimal>> byCustomer = new TreeMap<>();
        for (Purchase purchase : purchases) {
            Objects.requireNonNull(purchase, "purchase is null");
            byCustomer.computeIfAbsent(purchase.customerId(), k -> new TreeMap<>())
                    .merge(purchase.date(), purchase.amount(), BigDecimal::add);
        }
        return byCustomer;
    }
}
