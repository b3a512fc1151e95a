package com.ecomcrm.pipelines;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static java.util.Objects.requireNonNull;

/**
 * The email engine's sends and tracking events, from PostgreSQL into {@code silver.email_sends} and
 * {@code silver.email_events}: a full read each night (Spark JDBC) MERGEd by key, so a re-run changes nothing and a
 * row deleted in PostgreSQL (a redaction) leaves the lakehouse too. Test sends are left out. Only ids, statuses,
 * kinds and times are copied: the recipient's address, the ip, the user agent and the clicked URL stay in PostgreSQL.
 *
 * <p>A full read is fine at today's volumes (a few million events); past that, read by {@code id} watermark.
 */
final class EmailLakehouseLoad {
    private static final Logger LOG = LoggerFactory.getLogger(EmailLakehouseLoad.class);
    private static final String SENDS = """
            SELECT s.shop_domain AS shop_id, s.id AS send_id, s.flow_id, f.kind AS flow_kind, s.template_id,
                   s.template_version, s.customer_id, s.status, s.sent_at, s.created_at, s.updated_at
            FROM sends s LEFT JOIN flows f ON f.shop_domain = s.shop_domain AND f.id = s.flow_id
            WHERE NOT s.is_test""";
    private static final String EVENTS = """
            SELECT e.shop_domain AS shop_id, e.id AS event_id, e.send_id, e.kind, e.machine, e.machine_reason,
                   e.occurred_at
            FROM email_events e JOIN sends s ON s.shop_domain = e.shop_domain AND s.id = e.send_id
            WHERE NOT s.is_test""";

    private EmailLakehouseLoad() {
    }

    /** Rows now in the two silver tables. */
    record Result(long sends, long events) {
    }

    static Result run(SparkSession spark, Lakehouse lakehouse, PipelineSettings settings) {
        requireNonNull(settings, "settings is null");
        long sends = merge(spark, read(spark, settings, SENDS), lakehouse.emailSends(), "send_id");
        long events = merge(spark, read(spark, settings, EVENTS), lakehouse.emailEvents(), "event_id");
        LOG.info("Email sends {} and events {} loaded into the lakehouse", sends, events);
        return new Result(sends, events);
    }

    private static Dataset<Row> read(SparkSession spark, PipelineSettings settings, String query) {
        return spark.read().format("jdbc")
                .option("url", settings.pgUrl())
                .option("user", settings.pgUser())
                .option("password", settings.pgPassword())
                .option("driver", "org.postgresql.Driver")
                .option("query", query)
                .load();
    }

    private static long merge(SparkSession spark, Dataset<Row> source, String table, String key) {
        // Cast to the table's own column types (JDBC gives integer/decimal variants), in its column order.
        Dataset<Row> target = spark.table(table);
        Dataset<Row> typed = source.select(java.util.Arrays.stream(target.schema().fields())
                .map(f -> source.col(f.name()).cast(f.dataType()).as(f.name()))
                .toArray(org.apache.spark.sql.Column[]::new)).persist();
        String view = "email_load_" + key;
        try {
            typed.createOrReplaceTempView(view);
            spark.sql("MERGE INTO " + table + " t USING " + view + " s"
                    + " ON t.shop_id = s.shop_id AND t." + key + " = s." + key
                    + " WHEN MATCHED THEN UPDATE SET *"
                    + " WHEN NOT MATCHED THEN INSERT *"
                    + " WHEN NOT MATCHED BY SOURCE THEN DELETE");
            return typed.count();
        }
        finally {
            spark.catalog().dropTempView(view);
            typed.unpersist();
        }
    }
}
