package com.ecomcrm.bench.jmh;

import com.ecomcrm.domain.QuintileScore;
import com.ecomcrm.domain.Segment;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RfmScoringBenchTest {
    @Test
    void countsStrictlyWorseCustomersAsRankMinusOne() {
        int[] sorted = {1, 2, 2, 2, 5};
        assertThat(RfmScoringBench.firstAtLeast(sorted, 2)).isEqualTo(1);
        assertThat(RfmScoringBench.firstAtLeast(sorted, 5)).isEqualTo(4);
        assertThat(RfmScoringBench.firstAbove(sorted, 2)).isEqualTo(4);
        assertThat(RfmScoringBench.firstAbove(sorted, 5)).isEqualTo(5);
    }

    @Test
    void scoresEveryCustomerOfTheShopIntoASegment() {
        RfmScoringBench bench = new RfmScoringBench();
        bench.customers = 10_000;
        bench.setUp();
        Map<Segment, Integer> segments = bench.scoreShop();
        assertThat(segments.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
        assertThat(segments).containsKeys(Segment.CHAMPIONS, Segment.DORMANT);
        assertThat(QuintileScore.of(0, 10_000)).isEqualTo(1);
    }
}
