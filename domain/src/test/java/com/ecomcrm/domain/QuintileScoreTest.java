package com.ecomcrm.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuintileScoreTest {
    @Test
    void tenCustomersSplitIntoFiveEqualBands() {
        int[] scores = new int[10];
        for (int worse = 0; worse < 10; worse++) {
            scores[worse] = QuintileScore.of(worse, 10);
        }
        assertThat(scores).containsExactly(1, 1, 2, 2, 3, 3, 4, 4, 5, 5);
    }

    @Test
    void tiedCustomersShareTheScoreOfTheFirstOfThem() {
        // 7 of 10 customers bought once: none of them is strictly worse than another, so all score 1.
        assertThat(QuintileScore.of(0, 10)).isEqualTo(1);
        // the three who bought twice have 7 strictly worse customers.
        assertThat(QuintileScore.of(7, 10)).isEqualTo(4);
    }

    @Test
    void aShopWithOneCustomerScoresThemOne() {
        assertThat(QuintileScore.of(0, 1)).isEqualTo(1);
    }

    @Test
    void impossibleCountsAreRefused() {
        assertThatThrownBy(() -> QuintileScore.of(3, 3)).hasMessage("Cannot score: 3 worse out of 3 customers");
    }
}
