package com.ecomcrm.api.groupcommit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitSettingsTest {
    private static final GroupCommitSettings DEFAULTS = new GroupCommitSettings(64, 2);

    @Test
    void unsetOrBlankKeysKeepTheDefaults() {
        assertThat(GroupCommitSettings.fromEnvironment(Map.of("ECOMCRM_X_MAX_BATCH", " "), "ECOMCRM_X", DEFAULTS))
                .isEqualTo(new GroupCommitSettings(64, 2, Duration.ZERO));
    }

    @Test
    void eachKeyIsReadUnderTheIntakesPrefix() {
        Map<String, String> environment = Map.of("ECOMCRM_X_MAX_BATCH", "512", "ECOMCRM_X_BATCHES_IN_FLIGHT", "3",
                "ECOMCRM_X_MAX_WAIT_MS", "2", "ECOMCRM_Y_MAX_BATCH", "7");

        assertThat(GroupCommitSettings.fromEnvironment(environment, "ECOMCRM_X", DEFAULTS))
                .isEqualTo(new GroupCommitSettings(512, 3, Duration.ofMillis(2)));
    }

    @Test
    void aValueThatIsNotAWholeNumberNamesItsKey() {
        assertThatThrownBy(() -> GroupCommitSettings.fromEnvironment(Map.of("ECOMCRM_X_BATCHES_IN_FLIGHT", "two"),
                "ECOMCRM_X", DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read ECOMCRM_X_BATCHES_IN_FLIGHT: 'two' is not a whole number");
    }

    @Test
    void boundsMustLeaveRoomForOneItem() {
        assertThatThrownBy(() -> new GroupCommitSettings(0, 1))
                .hasMessage("Cannot group commits: maxBatch 0 and batchesInFlight 1 must be at least 1");
        assertThatThrownBy(() -> new GroupCommitSettings(1, 1, Duration.ofMillis(-1)))
                .hasMessage("Cannot group commits: maxWait PT-0.001S is negative");
    }
}
