package com.ecomcrm.api.performance;

import com.ecomcrm.domain.ShopId;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** The shop's email performance rows of its current publication (blocking). */
public interface EmailPerformanceReader {
    /** The logical date of the shop's current publication; empty before its first nightly run. */
    Optional<LocalDate> publishedAsOf(ShopId shop);

    /** Rows sent from {@code from} to {@code to} inclusive, by date, flow and template. */
    List<EmailPerformanceRow> rows(ShopId shop, LocalDate from, LocalDate to);
}
