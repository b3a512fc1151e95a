package com.ecomcrm.api.performance;

import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/** One row of ClickHouse's {@code email_performance}: the emails of one flow and template sent on one day. */
record EmailPerformanceRow(LocalDate sendDate, long flowId, String flowKind, long templateId, EmailMetrics metrics) {
    EmailPerformanceRow {
        requireNonNull(sendDate, "sendDate is null");
        requireNonNull(flowKind, "flowKind is null");
        requireNonNull(metrics, "metrics is null");
    }
}
