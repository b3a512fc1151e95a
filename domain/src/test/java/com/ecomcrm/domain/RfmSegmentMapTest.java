package com.ecomcrm.domain;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RfmSegmentMapTest {
    @Test
    void bestCustomersAreChampionsAndRecentFirstTimersAreNew() {
        assertThat(new RfmScores(5, 5, 5).segment()).isEqualTo(Segment.CHAMPIONS);
        assertThat(new RfmScores(5, 1, 1).segment()).isEqualTo(Segment.NEW);
        assertThat(new RfmScores(1, 1, 1).segment()).isEqualTo(Segment.DORMANT);
        assertThat(new RfmScores(1, 5, 5).segment()).isEqualTo(Segment.PREVIOUSLY_LOYAL);
        assertThat(new RfmScores(2, 4, 3).segment()).isEqualTo(Segment.AT_RISK);
        assertThat(new RfmScores(3, 2, 2).segment()).isEqualTo(Segment.NEEDS_ATTENTION);
    }

    @Test
    void frequencyAndMonetaryCombineByRoundingHalfUp() {
        assertThat(new RfmScores(3, 4, 5).frequencyMonetary()).isEqualTo(5);
        assertThat(new RfmScores(3, 4, 3).frequencyMonetary()).isEqualTo(4);
        assertThat(new RfmScores(3, 1, 2).frequencyMonetary()).isEqualTo(2);
    }

    @Test
    void everyScoredSegmentIsReachableAndProspectsAreNot() {
        Set<Segment> reached = EnumSet.noneOf(Segment.class);
        for (int r = 1; r <= 5; r++) {
            for (int f = 1; f <= 5; f++) {
                for (int m = 1; m <= 5; m++) {
                    reached.add(new RfmScores(r, f, m).segment());
                }
            }
        }
        assertThat(reached).containsExactlyInAnyOrderElementsOf(EnumSet.complementOf(EnumSet.of(Segment.PROSPECTS)));
    }

    @Test
    void scoresOutsideOneToFiveAreRefused() {
        assertThatThrownBy(() -> new RfmScores(0, 3, 3))
                .isInstanceOf(DomainException.class)
                .hasMessage("Cannot score recency: 0 is outside 1..5");
    }

    @Test
    void segmentKeysRoundTrip() {
        for (Segment segment : Segment.values()) {
            assertThat(Segment.fromKey(segment.key())).isEqualTo(segment);
        }
        assertThatThrownBy(() -> Segment.fromKey("VIP")).hasMessage("Cannot read segment: unknown key 'VIP'");
    }
}
