package com.ecomcrm.api.performance;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.domain.ShopId;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The shop's email performance rows of its current publication (blocking). The usual read is {@link #currentRows}, one
 * query that picks the publication itself; when it finds no row (nothing sent in the range, or nothing published) the
 * caller reads the publication, then that publication's rows, so the answer is of one publication either way.
 */
public interface EmailPerformanceReader {
    /** The shop's current publication; empty before its first nightly run. */
    Optional<Publication> publication(ShopId shop);

    /** Rows of {@code publication} sent from {@code from} to {@code to} inclusive, by date, flow and template. */
    List<EmailPerformanceRow> rows(ShopId shop, Publication publication, LocalDate from, LocalDate to);

    /**
     * The rows of the current publication in the range, the publication and the range picked inside the query: {@code to}
     * defaults to the publication's date, {@code from} to {@value EmailPerformanceHandler#DEFAULT_DAYS} days up to
     * {@code to}. Empty when no row matched (the publication is then unknown).
     */
    Optional<PerformanceRead> currentRows(ShopId shop, Optional<LocalDate> from, Optional<LocalDate> to);
}
