package com.ecomcrm.api.analytics;

import java.time.LocalDate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** The KPI days of one publication over a range, with the range the query used (its defaults filled in). */
public record KpiDays(Publication publication, LocalDate from, LocalDate to, List<DailyKpis> days) {
    public KpiDays {
        requireNonNull(publication, "publication is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        days = List.copyOf(days);
    }
}
