package com.ecomcrm.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BaselineStagesTest {
    @Test
    void readsThePipelinesOwnRfmSecondsFromItsStageDetails() {
        StageResult pipeline = new StageResult("nightly pipeline (child JVM)", 100, 10, "input records", null, null,
                Map.of("stages", Map.of("ingest", Map.of("seconds", 40.0), "rfm", Map.of("seconds", 11.5))));
        StageResult other = new StageResult("webhook intake", 1, 1, "deliveries", null, null, Map.of());

        assertThat(BaselineStages.pipelineStageSeconds(List.of(other, pipeline), "rfm")).isEqualTo(11.5);
        assertThat(BaselineStages.pipelineStageSeconds(List.of(other), "rfm")).isNull();
    }
}
