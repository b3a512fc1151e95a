package com.ecomcrm.api.analytics;

import com.ecomcrm.domain.ShopId;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** Reads a shop's published daily KPIs. Blocking. */
public interface KpiReader {
    /** The shop's current publication, empty before its first nightly run. */
    Optional<Publication> publication(ShopId shop);

    /** The days from {@code from} to {@code to} (inclusive) of that publication, in date order; days without a row are left out. */
    List<DailyKpis> days(ShopId shop, Publication publication, LocalDate from, LocalDate to);

    /**
     * The days of the current publication in one round trip: the query picks the publication (and, for a missing
     * bound, the range ending on its date) itself. Empty when it found no day to tell the publication by (nothing
     * published yet, or no order in the range): the caller then reads {@link #publication} and {@link #days}.
     */
    Optional<KpiDays> currentDays(ShopId shop, Optional<LocalDate> from, Optional<LocalDate> to);
}
