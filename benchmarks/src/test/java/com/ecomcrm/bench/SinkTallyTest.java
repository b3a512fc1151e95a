package com.ecomcrm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkTallyTest {
    @Test
    void everySentEmailArrivingOnceIsExactlyOnce() {
        SinkTally tally = SinkTally.of(List.of("<a@m>", "<b@m>", "<c@m>"), List.of("<c@m>", "<a@m>", "<b@m>"));

        assertThat(tally).isEqualTo(new SinkTally(3, 3, 3, 0, 0, 0));
        assertThat(tally.exactlyOnce()).isTrue();
    }

    @Test
    void anEmailArrivingTwiceIsADuplicateNotASecondDelivery() {
        SinkTally tally = SinkTally.of(List.of("<a@m>", "<b@m>"), List.of("<a@m>", "<b@m>", "<b@m>"));

        assertThat(tally).isEqualTo(new SinkTally(2, 3, 1, 0, 1, 0));
        assertThat(tally.exactlyOnce()).isFalse();
    }

    @Test
    void aSentEmailTheSinkNeverSawIsMissing() {
        SinkTally tally = SinkTally.of(List.of("<a@m>", "<b@m>"), List.of("<a@m>"));

        assertThat(tally).isEqualTo(new SinkTally(2, 1, 1, 1, 0, 0));
        assertThat(tally.exactlyOnce()).isFalse();
    }

    @Test
    void aMessageTheLedgerDoesNotHoldAsSentIsUnexpected() {
        SinkTally tally = SinkTally.of(List.of("<a@m>"), Arrays.asList("<a@m>", "<z@m>", null));

        assertThat(tally).isEqualTo(new SinkTally(1, 3, 1, 0, 0, 2));
        assertThat(tally.exactlyOnce()).isFalse();
    }

    @Test
    void nothingSentAndNothingReceivedIsTriviallyExactlyOnce() {
        assertThat(SinkTally.of(List.of(), List.of()).exactlyOnce()).isTrue();
    }
}
