package com.ecomcrm.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The quota month: the calendar month in the shop's time zone, UTC when the zone is missing or unknown. */
class QuotaMonthTest {
    private static final Instant LATE_ON_30_NOVEMBER_UTC = Instant.parse("2026-11-30T12:30:00Z");

    @Test
    void theMonthTurnsAtMidnightOnTheFirstInTheShopsZone() {
        QuotaMonth auckland = QuotaMonth.of(Optional.of("Pacific/Auckland"), LATE_ON_30_NOVEMBER_UTC);

        assertThat(auckland.month()).isEqualTo(LocalDate.of(2026, 12, 1));
        assertThat(auckland.start().toInstant()).isEqualTo(Instant.parse("2026-11-30T11:00:00Z"));
        assertThat(auckland.end().toInstant()).isEqualTo(Instant.parse("2026-12-31T11:00:00Z"));
        assertThat(QuotaMonth.of(ZoneOffset.UTC, LATE_ON_30_NOVEMBER_UTC).month()).isEqualTo(LocalDate.of(2026, 11, 1));
    }

    @Test
    void aMissingBlankOrUnknownZoneIsUtcAndANamedOneIsStripped() {
        assertThat(QuotaMonth.zone(null)).isEqualTo(ZoneOffset.UTC);
        assertThat(QuotaMonth.zone("  ")).isEqualTo(ZoneOffset.UTC);
        assertThat(QuotaMonth.zone("Mars/Olympus_Mons")).isEqualTo(ZoneOffset.UTC);
        assertThat(QuotaMonth.knownZone("Mars/Olympus_Mons")).isEmpty();
        assertThat(QuotaMonth.zone(" Asia/Tokyo ")).isEqualTo(ZoneId.of("Asia/Tokyo"));
        assertThat(QuotaMonth.of(Optional.empty(), LATE_ON_30_NOVEMBER_UTC).zone()).isEqualTo(ZoneOffset.UTC);
    }
}
