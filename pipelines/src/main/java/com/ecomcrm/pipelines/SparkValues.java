package com.ecomcrm.pipelines;

import java.sql.Timestamp;
import java.time.Instant;

/** Conversions to the external types Spark's Row expects for our column types. */
final class SparkValues {
    private SparkValues() {
    }

    /** java.sql.Timestamp works whatever spark.sql.datetime.java8API.enabled is set to; Instant does not. */
    static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
