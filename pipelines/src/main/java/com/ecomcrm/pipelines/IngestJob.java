package com.ecomcrm.pipelines;

import com.ecomcrm.landing.LandingLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;

/**
 * Landing zone (bronze) to silver: reads every finished landing file, parses each line on the executors, keeps the
 * newest version of each key within the batch, and MERGEs each silver table so that the newest {@code updated_at}
 * wins and a tie keeps the row already there. Running it again over the same files changes no row.
 *
 * <p>It reads the whole landing zone every run: simple and idempotent, and cheap at today's volumes. Reading only the
 * {@code date=} folders since the last run is the obvious next step once that stops being true.
 */
public final class IngestJob {
    private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);
    private static final int MAX_REJECTS_KEPT = 100;

    /** Columns carried next to each row for the in-batch tie-break and the bulk line-to-order join; never stored. */
    private static final StructType PROVENANCE = new StructType()
            .add("_delivery_id", DataTypes.StringType)
            .add("_landed_at", DataTypes.TimestampType)
            .add("_file", DataTypes.StringType)
            .add("_line", DataTypes.LongType);

    private IngestJob() {
    }

    /**
     * What one ingest did.
     *
     * @param rowsMerged per silver table, the rows offered to its MERGE (the newest per key within the batch)
     * @param sampleRejects up to {@value #MAX_REJECTS_KEPT} rejected lines, to print; {@code rejects} is the count
     */
    public record Result(long files, long lines, long ignored, long rejects, List<ParseResult.Reject> sampleRejects,
                         Map<String, Long> rowsMerged) {
        public Result {
            sampleRejects = List.copyOf(sampleRejects);
            rowsMerged = Collections.unmodifiableMap(new TreeMap<>(rowsMerged)); // sorted: stable summaries
        }

        public String summary() {
            return files + " files, " + lines + " lines, " + ignored + " ignored, " + rejects + " rejected; merged "
                    + rowsMerged;
        }
    }

    public static Result run(SparkSession spark, Path landingDir) {
        return run(spark, Lakehouse.DEFAULT, landingDir);
    }

    public static Result run(SparkSession spark, Lakehouse lakehouse, Path landingDir) {
        LandingLayout layout = new LandingLayout(landingDir);
        List<String> files = finishedFiles(spark, layout);
        if (files.isEmpty()) {
            LOG.info("No landing files under {}; nothing to ingest", layout.root());
            return new Result(0, 0, 0, 0, List.of(), Map.of());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // binaryFiles + our own line reader rather than spark.read().text(): it gives each line its number in the
        // file, which a reject must name, and streams the file instead of holding it in memory.
        JavaRDD<ParseResult> parsed = jsc.binaryFiles(String.join(",", files))
                .flatMap(new LandingFileReader())
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long lines = parsed.count();
            long ignored = parsed.filter(ParseResult::ignored).count();
            JavaRDD<ParseResult.Reject> rejects = parsed.filter(ParseResult::isReject).map(ParseResult::reject);
            long rejectCount = rejects.count();
            List<ParseResult.Reject> sample = rejects.take(MAX_REJECTS_KEPT);
            for (ParseResult.Reject reject : sample.subList(0, Math.min(10, sample.size()))) {
                LOG.warn("Rejected {}", reject.describe());
            }

            Map<String, Long> merged = new LinkedHashMap<>();
            Dataset<Row> customers = newestPerKey(rows(spark, parsed, CustomerRow.class, CustomerRow.SCHEMA),
                    "customer_id");
            merged.put("silver.customers", merge(spark, customers, lakehouse.customers(), "customer_id"));

            Dataset<Row> allOrders = rows(spark, parsed, OrderRow.class, OrderRow.SCHEMA);
            Dataset<Row> orders = newestPerKey(allOrders, "order_id");
            merged.put("silver.orders", merge(spark, orders, lakehouse.orders(), "order_id"));

            Dataset<Row> lines0 = withParentUpdatedAt(rows(spark, parsed, OrderLineRow.class, OrderLineRow.SCHEMA),
                    allOrders);
            Dataset<Row> orderLines = newestPerKey(lines0, "order_id", "line_id");
            merged.put("silver.order_lines", merge(spark, orderLines, lakehouse.orderLines(), "order_id", "line_id"));

            Dataset<Row> checkouts = newestPerKey(rows(spark, parsed, CheckoutRow.class, CheckoutRow.SCHEMA),
                    "checkout_token");
            merged.put("silver.checkouts", merge(spark, checkouts, lakehouse.checkouts(), "checkout_token"));

            // The same refund arrives several times (refunds/create, then inside every later orders/* payload, and
            // redeliveries): one row per refund, the newest version.
            Dataset<Row> refunds = newestPerKey(rows(spark, parsed, RefundRow.class, RefundRow.SCHEMA), "refund_id");
            merged.put("silver.refunds", merge(spark, refunds, lakehouse.refunds(), "refund_id"));
            Dataset<Row> refundLines = newestPerKey(rows(spark, parsed, RefundLineRow.class, RefundLineRow.SCHEMA),
                    "refund_id", "line_item_id");
            merged.put("silver.refund_lines", merge(spark, refundLines, lakehouse.refundLines(), "refund_id",
                    "line_item_id"));
            long followed = RefundCustomers.follow(spark, lakehouse);
            if (followed > 0) {
                LOG.info("{} refunds took the customer of their order", followed);
            }

            return new Result(files.size(), lines, ignored, rejectCount, sample, merged);
        }
        finally {
            parsed.unpersist(false);
        }
    }

    /** The finished files (the layout's glob excludes {@code .inprogress}), sorted so runs are reproducible. */
    private static List<String> finishedFiles(SparkSession spark, LandingLayout layout) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        org.apache.hadoop.fs.Path glob = new org.apache.hadoop.fs.Path("file://" + layout.allFilesGlob());
        try {
            FileSystem fs = glob.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(glob);
            if (matches == null) {
                return List.of();
            }
            return Arrays.stream(matches)
                    .filter(FileStatus::isFile)
                    .map(s -> s.getPath().toString())
                    .sorted()
                    .collect(Collectors.toList());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot list landing files " + glob + ": " + e.getMessage(), e);
        }
    }

    /** The parsed records of one kind as a DataFrame with the table's schema plus the provenance columns. */
    private static <T extends SilverRecord> Dataset<Row> rows(SparkSession spark, JavaRDD<ParseResult> parsed,
                                                               Class<T> kind, StructType schema) {
        StructType withProvenance = schema;
        for (var field : PROVENANCE.fields()) {
            withProvenance = withProvenance.add(field);
        }
        JavaRDD<Row> rows = parsed.flatMap(result -> {
            List<Row> out = new ArrayList<>();
            for (SilverRecord record : result.records()) {
                if (kind.isInstance(record)) {
                    Object[] values = record.values();
                    Object[] all = Arrays.copyOf(values, values.length + 4);
                    all[values.length] = result.deliveryId();
                    all[values.length + 1] = result.receivedAt() == null ? null : Timestamp.from(result.receivedAt());
                    all[values.length + 2] = result.file();
                    all[values.length + 3] = result.line();
                    out.add(RowFactory.create(all));
                }
            }
            return out.iterator();
        });
        return spark.createDataFrame(rows, withProvenance);
    }

    /**
     * A bulk line item carries no updated_at: it takes the one of its order from the same bulk operation (same
     * {@code _delivery_id}), so line and order are ordered consistently against webhooks. If the order line is
     * missing (it was rejected), the landing time stands in.
     */
    private static Dataset<Row> withParentUpdatedAt(Dataset<Row> lines, Dataset<Row> orders) {
        Dataset<Row> parents = orders.groupBy(col("shop_id").as("p_shop_id"), col("order_id").as("p_order_id"),
                        col("_delivery_id").as("p_delivery_id"))
                .agg(max("updated_at").as("p_updated_at"));
        Column sameOrder = col("shop_id").equalTo(col("p_shop_id"))
                .and(col("order_id").equalTo(col("p_order_id")))
                .and(col("_delivery_id").equalTo(col("p_delivery_id")));
        List<Column> columns = new ArrayList<>();
        for (String name : lines.columns()) {
            columns.add(name.equals("updated_at")
                    ? coalesce(col("updated_at"), col("p_updated_at"), col("_landed_at")).as("updated_at")
                    : col(name));
        }
        return lines.join(parents, sameOrder, "left").select(columns.toArray(Column[]::new));
    }

    /**
     * One row per key: the newest updated_at; among equals the latest landed, then the last file and line. The
     * tie-break only depends on the input, so the same files always give the same rows.
     */
    private static Dataset<Row> newestPerKey(Dataset<Row> rows, String... key) {
        List<Column> partition = new ArrayList<>();
        partition.add(col("shop_id"));
        for (String k : key) {
            partition.add(col(k));
        }
        var window = Window.partitionBy(partition.toArray(Column[]::new))
                .orderBy(col("updated_at").desc_nulls_last(), col("_landed_at").desc_nulls_last(),
                        col("_file").desc(), col("_line").desc());
        return rows.withColumn("_rank", row_number().over(window))
                .filter(col("_rank").equalTo(1))
                .drop("_rank", "_delivery_id", "_landed_at", "_file", "_line");
    }

    /**
     * Newest wins: a source row replaces the stored one only if strictly newer, so a tie (including re-running the
     * same input) keeps what is there, and a late-arriving older webhook never overwrites newer data.
     */
    private static long merge(SparkSession spark, Dataset<Row> source, String table, String... key) {
        String view = "ingest_" + table.replace('.', '_');
        source.createOrReplaceTempView(view);
        long count = source.count();
        if (count == 0) {
            return 0;
        }
        StringBuilder on = new StringBuilder("t.shop_id = s.shop_id");
        for (String k : key) {
            on.append(" AND t.").append(k).append(" = s.").append(k);
        }
        spark.sql("MERGE INTO " + table + " t USING " + view + " s ON " + on
                + " WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET *"
                + " WHEN NOT MATCHED THEN INSERT *");
        spark.catalog().dropTempView(view);
        return count;
    }

    /**
     * Reads one landing file line by line, lazily, and parses each line. A line that cannot be read becomes a
     * reject; so does a record whose envelope names another shop than the folder it sits in (the folder is how a
     * shop's data is found and erased, so the two must agree).
     */
    static final class LandingFileReader implements FlatMapFunction<Tuple2<String, PortableDataStream>, ParseResult> {
        @Override
        public Iterator<ParseResult> call(Tuple2<String, PortableDataStream> file) {
            String path = file._1();
            String folderShop = folderShop(path);
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(file._2().open(), StandardCharsets.UTF_8));
            return new Iterator<>() {
                private long lineNumber;
                private ParseResult next = advance();

                private ParseResult advance() {
                    try {
                        for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                            lineNumber++;
                            if (text.isBlank()) {
                                continue;
                            }
                            return checkShop(ShopifyRecordParser.parseLine(path, lineNumber, text), folderShop);
                        }
                        reader.close();
                        return null;
                    }
                    catch (IOException e) {
                        throw new UncheckedIOException("Cannot read " + path + " after line " + lineNumber, e);
                    }
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public ParseResult next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    ParseResult current = next;
                    next = advance();
                    return current;
                }
            };
        }

        private static ParseResult checkShop(ParseResult result, String folderShop) {
            if (folderShop == null) {
                return result;
            }
            for (SilverRecord record : result.records()) {
                String shop = record.shopId();
                if (!folderShop.equals(shop)) {
                    return ParseResult.rejected(new ParseResult.Reject(shop, result.file(), result.line(), null,
                            "shop", "envelope shop '" + shop + "' is not the folder's shop '" + folderShop + "'"));
                }
            }
            return result;
        }

        private static String folderShop(String path) {
            for (String part : path.split("/")) {
                if (part.startsWith("shop=")) {
                    return part.substring("shop=".length());
                }
            }
            return null;
        }
    }
}
