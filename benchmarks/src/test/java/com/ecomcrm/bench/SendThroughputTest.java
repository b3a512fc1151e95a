package com.ecomcrm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SendThroughputTest {
    @Test
    void theShopsTimeZoneMakesItEarlyAfternoonAtEveryHourOfTheDaySoQuietHoursDeferNothing() {
        Instant midnight = Instant.parse("2026-11-30T00:00:00Z");
        for (int minutes = 0; minutes < 24 * 60; minutes += 17) {
            Instant now = midnight.plusSeconds(minutes * 60L);

            LocalDateTime local = LocalDateTime.ofInstant(now, ZoneId.of(SendThroughput.afternoonZone(now)));

            assertThat(local.getHour()).as("local hour at %s", now).isEqualTo(13);
        }
    }

    @Test
    void theZoneIsAnOffsetJavaAndTheSendJobCanRead() {
        String zone = SendThroughput.afternoonZone(Instant.parse("2026-11-30T13:30:00Z"));

        assertThat(zone).isEqualTo("+00:00");
        assertThat(ZoneId.of(zone).getRules().getOffset(Instant.EPOCH)).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void smallScaleSchedulesTwentyThousandSendsOverTenShops() {
        SendThroughput.Settings small = SendThroughput.Settings.of(Scale.named("small"));

        assertThat(small.shops()).isEqualTo(10);
        assertThat(small.sends()).isEqualTo(20_000);
    }
}
