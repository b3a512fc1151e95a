package com.ecomcrm.pipelines;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Every parsed landing line as Spark rows of one shape, so the ingest converts and caches them once: one row per
 * silver record (its kind, its shop, where it came from, and its values in the struct column of its kind), one row
 * per rejected line (the reject's fields in {@code reject}) and one per ignored line. {@code first_of_line} marks one
 * row of each landed line, so the lines can be counted.
 */
final class LandedRows {
    static final String CUSTOMER = "customer";
    static final String ORDER = "order";
    static final String ORDER_LINE = "order_line";
    static final String CHECKOUT = "checkout";
    static final String REFUND = "refund";
    static final String REFUND_LINE = "refund_line";
    static final String REJECT = "reject";
    static final String IGNORED = "ignored";
    /** A line that was read but gave no row (no kind above); counted as a line, nothing else. */
    static final String NOTHING = "nothing";

    /** The silver record kinds and their tables' schemas (shop_id first, as in every silver table). */
    private static final Map<String, StructType> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put(CUSTOMER, CustomerRow.SCHEMA);
        KINDS.put(ORDER, OrderRow.SCHEMA);
        KINDS.put(ORDER_LINE, OrderLineRow.SCHEMA);
        KINDS.put(CHECKOUT, CheckoutRow.SCHEMA);
        KINDS.put(REFUND, RefundRow.SCHEMA);
        KINDS.put(REFUND_LINE, RefundLineRow.SCHEMA);
        KINDS.forEach((kind, schema) -> {
            if (!schema.fields()[0].name().equals("shop_id")) {
                throw new IllegalStateException("The " + kind + " schema must start with shop_id: " + schema);
            }
        });
    }

    private static final StructType REJECT_SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType)
            .add("file", DataTypes.StringType)
            .add("line", DataTypes.LongType)
            .add("topic", DataTypes.StringType)
            .add("field", DataTypes.StringType)
            .add("reason", DataTypes.StringType);

    /** Columns carried next to each row for the in-batch tie-break and the bulk line-to-order join; never stored. */
    static final List<String> PROVENANCE = List.of("_delivery_id", "_landed_at", "_file", "_line");

    static final StructType SCHEMA;

    static {
        StructType schema = new StructType()
                .add("kind", DataTypes.StringType, false)
                .add("shop_id", DataTypes.StringType)
                .add("first_of_line", DataTypes.BooleanType, false)
                .add("_delivery_id", DataTypes.StringType)
                .add("_landed_at", DataTypes.TimestampType)
                .add("_file", DataTypes.StringType)
                .add("_line", DataTypes.LongType);
        for (Map.Entry<String, StructType> kind : KINDS.entrySet()) {
            schema = schema.add(kind.getKey(), withoutShop(kind.getValue()));
        }
        SCHEMA = schema.add(REJECT, REJECT_SCHEMA);
    }

    /** Where each kind's struct sits in {@link #SCHEMA}. */
    private static final Map<Class<? extends SilverRecord>, Integer> COLUMN = Map.of(
            CustomerRow.class, SCHEMA.fieldIndex(CUSTOMER),
            OrderRow.class, SCHEMA.fieldIndex(ORDER),
            OrderLineRow.class, SCHEMA.fieldIndex(ORDER_LINE),
            CheckoutRow.class, SCHEMA.fieldIndex(CHECKOUT),
            RefundRow.class, SCHEMA.fieldIndex(REFUND),
            RefundLineRow.class, SCHEMA.fieldIndex(REFUND_LINE));

    private static final int REJECT_COLUMN = SCHEMA.fieldIndex(REJECT);

    private LandedRows() {
    }

    /** What the landed lines came to. */
    record Counts(long lines, long ignored, long rejects) {
    }

    /** The rows of one parsed line (on the executors). */
    static Iterator<Row> rows(ParseResult result) {
        requireNonNull(result, "result is null");
        Timestamp landedAt = SparkValues.ts(result.receivedAt());
        if (result.isReject()) {
            ParseResult.Reject r = result.reject();
            Object[] values = base(REJECT, r.shopId(), true, result, landedAt);
            values[REJECT_COLUMN] = RowFactory.create(r.shopId(), r.file(), r.line(), r.topic(), r.field(),
                    r.reason());
            return List.of(RowFactory.create(values)).iterator();
        }
        if (result.ignored() || result.records().isEmpty()) {
            return List.of(RowFactory.create(base(result.ignored() ? IGNORED : NOTHING, null, true, result,
                    landedAt))).iterator();
        }
        List<Row> rows = new ArrayList<>(result.records().size());
        for (SilverRecord record : result.records()) {
            int column = COLUMN.get(record.getClass());
            Object[] values = base(SCHEMA.fields()[column].name(), record.shopId(), rows.isEmpty(), result,
                    landedAt);
            Object[] recordValues = record.values();
            values[column] = RowFactory.create(Arrays.copyOfRange(recordValues, 1, recordValues.length));
            rows.add(RowFactory.create(values));
        }
        return rows.iterator();
    }

    private static Object[] base(String kind, String shop, boolean first, ParseResult result, Timestamp landedAt) {
        Object[] values = new Object[SCHEMA.size()];
        values[0] = kind;
        values[1] = shop;
        values[2] = first;
        values[3] = result.deliveryId();
        values[4] = landedAt;
        values[5] = result.file();
        values[6] = result.line();
        return values;
    }

    /** The records of one kind with their table's columns (in its order) and the provenance columns. */
    static Dataset<Row> of(Dataset<Row> landed, String kind) {
        StructType schema = requireNonNull(KINDS.get(kind), () -> "not a record kind: " + kind);
        List<Column> columns = new ArrayList<>();
        // shop_id itself, not a copy: the landed rows are partitioned by it, and the later steps rely on that.
        columns.add(col("shop_id"));
        StructField[] fields = schema.fields();
        for (int i = 1; i < fields.length; i++) {
            columns.add(col(kind + "." + fields[i].name()).as(fields[i].name()));
        }
        for (String name : PROVENANCE) {
            columns.add(col(name));
        }
        return landed.filter(col("kind").equalTo(kind)).select(columns.toArray(Column[]::new));
    }

    /** Lines, ignored lines and rejected lines, in one pass. */
    static Counts count(Dataset<Row> landed) {
        Row totals = landed.agg(
                sum(when(col("first_of_line"), 1L).otherwise(0L)),
                functions.count(when(col("kind").equalTo(IGNORED), lit(1))),
                functions.count(when(col("kind").equalTo(REJECT), lit(1)))).first();
        return new Counts(totals.isNullAt(0) ? 0 : totals.getLong(0), totals.getLong(1), totals.getLong(2));
    }

    /** Up to {@code limit} rejects, the first by file and line, so the same files always show the same ones. */
    static List<ParseResult.Reject> rejects(Dataset<Row> landed, int limit) {
        return landed.filter(col("kind").equalTo(REJECT))
                .select(col(REJECT + ".*"))
                .orderBy(col("file"), col("line"))
                .limit(limit)
                .collectAsList().stream()
                .map(r -> new ParseResult.Reject(r.getString(0), r.getString(1), r.getLong(2), r.getString(3),
                        r.getString(4), r.getString(5)))
                .toList();
    }

    private static StructType withoutShop(StructType schema) {
        return new StructType(Arrays.copyOfRange(schema.fields(), 1, schema.fields().length));
    }
}
