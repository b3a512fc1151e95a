package com.ecomcrm.api.sync;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /api/sync's phase and current step: the refund lines of refunds made before install are fetched after the bulk
 * object types, and until they are done the import is still RUNNING on that step.
 */
class SyncProgressStepsTest {
    private static JsonObject step(String type, String status) {
        return new JsonObject().put("object_type", type).put("status", status);
    }

    @Test
    void theImportRunsUntilTheRefundLinesAreFetched() {
        List<JsonObject> bulkDone = List.of(step("customers", "COMPLETED"), step("orders", "COMPLETED"),
                step("checkouts", "COMPLETED"));
        assertThat(SyncProgressHandler.phase(bulkDone)).isEqualTo("RUNNING");
        assertThat(SyncProgressHandler.currentStep(bulkDone)).isEqualTo("refund_lines");

        List<JsonObject> fetching = List.of(step("customers", "COMPLETED"), step("orders", "COMPLETED"),
                step("checkouts", "COMPLETED"), step("refund_lines", "RUNNING"));
        assertThat(SyncProgressHandler.phase(fetching)).isEqualTo("RUNNING");
        assertThat(SyncProgressHandler.currentStep(fetching)).isEqualTo("refund_lines");

        List<JsonObject> done = List.of(step("customers", "COMPLETED"), step("orders", "COMPLETED"),
                step("checkouts", "COMPLETED"), step("refund_lines", "COMPLETED"));
        assertThat(SyncProgressHandler.phase(done)).isEqualTo("COMPLETED");
        assertThat(SyncProgressHandler.currentStep(done)).isNull();
    }

    @Test
    void aFailedRefundLinesStepIsAFailedImportNamingTheStep() {
        List<JsonObject> failed = List.of(step("customers", "COMPLETED"), step("orders", "COMPLETED"),
                step("checkouts", "COMPLETED"), step("refund_lines", "FAILED"));
        assertThat(SyncProgressHandler.phase(failed)).isEqualTo("FAILED");
        assertThat(SyncProgressHandler.currentStep(failed)).isEqualTo("refund_lines");
    }

    @Test
    void theFirstUnfinishedStepIsTheCurrentOne() {
        List<JsonObject> orders = List.of(step("customers", "COMPLETED"), step("orders", "RUNNING"));
        assertThat(SyncProgressHandler.currentStep(orders)).isEqualTo("orders");
        assertThat(SyncProgressHandler.currentStep(List.of())).isEqualTo("customers");
        assertThat(SyncProgressHandler.phase(List.of())).isEqualTo("NOT_STARTED");
    }
}
