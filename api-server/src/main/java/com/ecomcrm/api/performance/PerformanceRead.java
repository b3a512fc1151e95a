package com.ecomcrm.api.performance;

import com.ecomcrm.api.analytics.Publication;

import java.time.LocalDate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Email performance rows of one publication and the range they cover, read in one query that picked the shop's current
 * publication (and the default range, which hangs on that publication's date) itself.
 */
record PerformanceRead(Publication publication, LocalDate from, LocalDate to, List<EmailPerformanceRow> rows) {
    PerformanceRead {
        requireNonNull(publication, "publication is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        rows = List.copyOf(rows);
    }
}
