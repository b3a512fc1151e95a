package com.ecomcrm.landing;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast timestamp parsers give exactly what the JDK's parsers give, and reject exactly what they reject. */
class IsoTimestampsTest {
    private static final List<String> VALID = List.of(
            "2025-12-31T23:59:59Z", "2024-02-29T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
            "2026-11-30T03:57:53.975681313Z", "2026-11-30T03:57:53.9Z", "2026-11-30T03:57:53.123Z",
            "2025-06-01T10:15:30-05:00", "2025-06-01T10:15:30+05:30", "2025-06-01T10:15:30.5+14:00",
            "2025-06-01T10:15:30-18:00", "2025-06-01T10:15:30+00:00", "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z");
    /** Off the fast path: no seconds, a leap second, an offset with seconds, lower case, invalid or garbage. */
    private static final List<String> ODD = List.of("2025-06-01T10:15Z", "2016-12-31T23:59:60Z",
            "2025-06-01T10:15:30+05:30:15", "2025-06-01t10:15:30z", "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z",
            "2025-06-01T24:00:00Z", "2025-06-01T10:15:30", "2025-06-01 10:15:30Z", "2025-06-01T10:15:30.Z",
            "2025-06-01T10:15:30.1234567891Z", "2025-06-01T10:15:30+19:00", "+12025-06-01T10:15:30Z", "yesterday",
            "");

    /** The JDK's instant, or the exception class it throws. */
    private static Object outcome(Function<String, Instant> parser, String text) {
        try {
            return parser.apply(text);
        }
        catch (DateTimeParseException e) {
            return DateTimeParseException.class;
        }
    }

    private static void assertSameAsJdk(String text) {
        assertThat(outcome(IsoTimestamps::offsetDateTime, text)).as("offset date-time %s", text)
                .isEqualTo(outcome(t -> OffsetDateTime.parse(t).toInstant(), text));
        assertThat(outcome(IsoTimestamps::instant, text)).as("instant %s", text)
                .isEqualTo(outcome(Instant::parse, text));
    }

    @Test
    void theLandingZonesShapesGiveTheJdksInstant() {
        VALID.forEach(IsoTimestampsTest::assertSameAsJdk);
        assertThat(IsoTimestamps.offsetDateTime("2025-06-01T10:15:30-05:00"))
                .isEqualTo(Instant.parse("2025-06-01T15:15:30Z"));
        assertThat(IsoTimestamps.instant("2026-11-30T03:57:53.975681313Z").getNano()).isEqualTo(975_681_313);
    }

    @Test
    void oddAndInvalidTextIsAcceptedOrRejectedExactlyAsTheJdkDoes() {
        ODD.forEach(IsoTimestampsTest::assertSameAsJdk);
        assertThat(outcome(IsoTimestamps::offsetDateTime, "2025-02-30T00:00:00Z"))
                .isEqualTo(DateTimeParseException.class);
    }

    @Test
    void randomInstantsAndOffsetsParseLikeTheJdk() {
        Random random = new Random(20261130L);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 4_000_000_000L),
                    random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
            texts.add(instant.toString());
            int offsetSeconds = Math.max(-64_800, Math.min(64_800,
                    ((random.nextInt(37) - 18) * 60 + (random.nextBoolean() ? 0 : 30)) * 60));
            texts.add(OffsetDateTime.ofInstant(instant, ZoneOffset.ofTotalSeconds(offsetSeconds)).toString());
        }
        texts.forEach(IsoTimestampsTest::assertSameAsJdk);
    }
}
