package com.ecomcrm.pipelines;

import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingSource;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
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
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;

/**
 * Landing zone (bronze) to silver: reads the finished landing files, parses each line on the executors, keeps the
 * newest version of each key within the batch, and MERGEs each silver table so that the newest {@code updated_at}
 * wins and a tie keeps the row already there (into a table still empty, the same rows are written without the MERGE's
 * join: {@link FirstWrite}). Running it again over the same files changes no row.
 *
 * <p>Each line is parsed once and its rows converted to Spark's once ({@link LandedRows}), cached and partitioned by
 * shop; the six tables are then cut from that cache without another parse or shuffle of the landed data.
 *
 * <p>The nightly run reads only what is new ({@link #newFiles}): the files not in the record of ingested files
 * ({@link IngestedLandingFiles}, PostgreSQL) and the files whose size or modification time changed since they were
 * recorded, each read whole. That covers the three ways the landing changes: a new file (a bulk result, a new day's
 * webhooks, a late delivery in an old {@code date=} folder), an append (webhook and tracking files of the current day
 * stay open and grow), and a compliance erasure, which rewrites a file without the customer's lines (read again, the
 * file holds nothing of the customer, and the erasure already deleted the customer's silver rows). Whole files rather
 * than byte offsets: a rewrite moves every offset, and re-reading lines already in silver changes nothing. Files are
 * recorded only after the silver commits, so a crash in between reads them again next time, harmlessly.
 *
 * <p>The record belongs to one identity: the catalog, its silver tables' Iceberg UUIDs and the landing root. A
 * lakehouse recreated, a silver table added, or the landing zone read from another root starts from nothing on record
 * and reads every file (so two landing roots feeding one lakehouse never forget each other's files). A lakehouse whose silver
 * tables are all empty while files are on record (restored from an empty backup, or emptied) is read whole too, with
 * a warning. {@link #allFiles} reads everything regardless ({@code NightlyPipeline --full-ingest}): after a lakehouse
 * restore from a backup older than the record, or a parser change that must reach old files.
 */
public final class IngestJob {
    private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);
    private static final int MAX_REJECTS_KEPT = 100;
    /**
     * The landing sources that carry Shopify data. Not {@code tracking}: email events reach silver from PostgreSQL
     * ({@code EmailLakehouseLoad}) and their landing files are the durable copy of what the tracking routes answered;
     * the Shopify parser read them only to ignore every line (210,000 lines of the medium fraction's steady-state
     * night, re-read whole each night while the day's file grows).
     */
    static final Set<LandingSource> SHOPIFY_SOURCES = EnumSet.of(LandingSource.WEBHOOK, LandingSource.BULK,
            LandingSource.ADMIN_API);

    private IngestJob() {
    }

    /**
     * What one ingest did.
     *
     * @param rowsMerged per silver table, the rows offered to its MERGE (the newest per key within the batch)
     * @param sampleRejects up to {@value #MAX_REJECTS_KEPT} rejected lines, to print; {@code rejects} is the count
     */
    public record Result(long files, long lines, long ignored, long rejects, List<ParseResult.Reject> sampleRejects,
                         Map<String, Long> rowsMerged, long filesSkipped, String read) {
        public Result {
            sampleRejects = List.copyOf(sampleRejects);
            rowsMerged = Collections.unmodifiableMap(new TreeMap<>(rowsMerged)); // sorted: stable summaries
            requireNonNull(read, "read is null");
        }

        /** Whether this ingest read every landing file (rather than only the new and changed ones). */
        public boolean readEveryFile() {
            return !read.equals(NEW_FILES);
        }

        public String summary() {
            return files + " files read (" + read + "; " + filesSkipped + " already ingested), " + lines + " lines, "
                    + ignored + " ignored, " + rejects + " rejected; merged " + rowsMerged;
        }
    }

    /** {@link Result#read()} of an ingest that read only the files new or changed since they were recorded. */
    static final String NEW_FILES = "new files";
    static final String EVERY_FILE = "every file";

    public static Result run(SparkSession spark, Path landingDir) {
        return run(spark, Lakehouse.DEFAULT, landingDir);
    }

    /** Reads every finished landing file and records nothing (tools and tests; the nightly uses {@link #newFiles}). */
    public static Result run(SparkSession spark, Lakehouse lakehouse, Path landingDir) {
        LandingLayout layout = new LandingLayout(landingDir);
        return ingest(spark, lakehouse, layout, finishedFiles(spark, layout), 0, EVERY_FILE);
    }

    /**
     * The nightly ingest: reads the finished landing files not yet on {@code record} for this lakehouse, or changed
     * since, and records them once their rows are committed to silver. Reads every file when nothing is on record
     * for this lakehouse, or when its silver tables are all empty although files are on record (logged).
     *
     * @param run the {@code pipeline_runs} row of the night, kept beside each file recorded
     */
    static Result newFiles(SparkSession spark, Lakehouse lakehouse, Path landingDir, IngestedLandingFiles record,
                           Optional<Long> run) {
        LandingLayout layout = new LandingLayout(landingDir);
        List<LandingFile> listed = finishedFiles(spark, layout);
        String identity = identity(spark, lakehouse, layout);
        Map<String, LandingFile> onRecord = record.recorded(identity);
        List<LandingFile> toRead;
        String read;
        if (onRecord.isEmpty()) {
            LOG.info("No landing file on record for lakehouse {}: reading every landing file", identity);
            toRead = listed;
            read = EVERY_FILE + ", none on record";
        }
        else if (silverIsEmpty(spark, lakehouse)) {
            LOG.warn("{} landing files are on record as ingested into lakehouse {}, but its silver tables hold no row"
                    + " (restored or emptied?): reading every landing file", onRecord.size(), identity);
            toRead = listed;
            read = EVERY_FILE + ", silver empty";
        }
        else {
            toRead = listed.stream().filter(file -> {
                LandingFile recorded = onRecord.get(file.path());
                return recorded == null || !file.unchangedSince(recorded);
            }).toList();
            read = NEW_FILES;
        }
        return ingestAndRecord(spark, lakehouse, layout, listed, toRead, read, identity, onRecord, record, run);
    }

    /**
     * Reads every finished landing file, whatever is on record ({@code NightlyPipeline --full-ingest}: a rebuild
     * after a lakehouse restore), and records them all.
     */
    static Result allFiles(SparkSession spark, Lakehouse lakehouse, Path landingDir, IngestedLandingFiles record,
                           Optional<Long> run) {
        LandingLayout layout = new LandingLayout(landingDir);
        List<LandingFile> listed = finishedFiles(spark, layout);
        String identity = identity(spark, lakehouse, layout);
        LOG.info("Full ingest asked for: reading every landing file into lakehouse {}", identity);
        return ingestAndRecord(spark, lakehouse, layout, listed, listed, EVERY_FILE + ", asked for", identity,
                record.recorded(identity), record, run);
    }

    private static Result ingestAndRecord(SparkSession spark, Lakehouse lakehouse, LandingLayout layout,
                                          List<LandingFile> listed, List<LandingFile> toRead, String read,
                                          String identity, Map<String, LandingFile> onRecord,
                                          IngestedLandingFiles record, Optional<Long> run) {
        Result result = ingest(spark, lakehouse, layout, toRead, listed.size() - toRead.size(), read);
        // Only now, with every silver commit done: a crash before this line leaves the files unrecorded, and the
        // next ingest reads them again, which changes no row.
        java.util.Set<String> present = listed.stream().map(LandingFile::path)
                .collect(Collectors.toCollection(java.util.HashSet::new));
        List<String> gone = onRecord.keySet().stream().filter(path -> !present.contains(path)).sorted().toList();
        if (!toRead.isEmpty() || !gone.isEmpty()) {
            record.record(identity, toRead, gone, run);
        }
        return result;
    }

    private static Result ingest(SparkSession spark, Lakehouse lakehouse, LandingLayout layout,
                                 List<LandingFile> toRead, long skipped, String read) {
        List<String> files = toRead.stream().map(LandingFile::location).toList();
        if (files.isEmpty()) {
            LOG.info("No landing file to read under {} ({}; {} already ingested); nothing to ingest", layout.root(),
                    read, skipped);
            return new Result(0, 0, 0, 0, List.of(), Map.of(), skipped, read);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // binaryFiles + our own line reader rather than spark.read().text(): it gives each line its number in the
        // file, which a reject must name, and streams the file instead of holding it in memory.
        JavaRDD<Row> parsed = jsc.binaryFiles(String.join(",", files))
                .flatMap(new LandingFileReader())
                .flatMap(LandedRows::rows);
        // Parsed once, converted to Spark's rows once, and cached columnar (compact, and spilled in Spark's own
        // format rather than as Java objects), hash-partitioned by shop: every later step (the newest row per key,
        // the line-to-order join, the write clustered by shop) needs no other shuffle, and each shop lands in one
        // task, so in one file per table.
        Dataset<Row> landed = spark.createDataFrame(parsed, LandedRows.SCHEMA)
                .repartition(partitions(spark), col("shop_id"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            LandedRows.Counts counts = LandedRows.count(landed);
            List<ParseResult.Reject> sample = LandedRows.rejects(landed, MAX_REJECTS_KEPT);
            for (ParseResult.Reject reject : sample.subList(0, Math.min(10, sample.size()))) {
                LOG.warn("Rejected {}", reject.describe());
            }

            Map<String, Long> merged = new LinkedHashMap<>();
            Dataset<Row> customers = newestPerKey(LandedRows.of(landed, LandedRows.CUSTOMER), "customer_id");
            merged.put("silver.customers", merge(spark, customers, lakehouse.customers(), "customer_id"));

            Dataset<Row> allOrders = LandedRows.of(landed, LandedRows.ORDER);
            Dataset<Row> orders = newestPerKey(allOrders, "order_id");
            merged.put("silver.orders", merge(spark, orders, lakehouse.orders(), "order_id"));

            Dataset<Row> lines0 = withParentUpdatedAt(LandedRows.of(landed, LandedRows.ORDER_LINE), allOrders);
            Dataset<Row> orderLines = newestPerKey(lines0, "order_id", "line_id");
            merged.put("silver.order_lines", merge(spark, orderLines, lakehouse.orderLines(), "order_id", "line_id"));

            Dataset<Row> checkouts = newestPerKey(LandedRows.of(landed, LandedRows.CHECKOUT), "checkout_token");
            merged.put("silver.checkouts", merge(spark, checkouts, lakehouse.checkouts(), "checkout_token"));

            // The same refund arrives several times (refunds/create, then inside every later orders/* payload, and
            // redeliveries): one row per refund, the newest version.
            Dataset<Row> refunds = newestPerKey(LandedRows.of(landed, LandedRows.REFUND), "refund_id");
            merged.put("silver.refunds", merge(spark, refunds, lakehouse.refunds(), "refund_id"));
            Dataset<Row> refundLines = newestPerKey(LandedRows.of(landed, LandedRows.REFUND_LINE),
                    "refund_id", "line_item_id");
            merged.put("silver.refund_lines", merge(spark, refundLines, lakehouse.refundLines(), "refund_id",
                    "line_item_id"));
            long followed = RefundCustomers.follow(spark, lakehouse);
            if (followed > 0) {
                LOG.info("{} refunds took the customer of their order", followed);
            }

            return new Result(files.size(), counts.lines(), counts.ignored(), counts.rejects(), sample, merged,
                    skipped, read);
        }
        finally {
            landed.unpersist(false);
        }
    }

    /**
     * Explicitly numbered (the session's shuffle partitions), so adaptive execution never coalesces them and the
     * cached rows keep a partitioning that the later steps can rely on.
     */
    private static int partitions(SparkSession spark) {
        return Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
    }

    /**
     * The finished files of the Shopify sources (the layout's glob excludes {@code .inprogress}) with their size and
     * modification time as listed now, before they are read: a file appended to after this listing is read again next
     * time. Sorted, so runs are reproducible.
     */
    private static List<LandingFile> finishedFiles(SparkSession spark, LandingLayout layout) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        org.apache.hadoop.fs.Path glob = new org.apache.hadoop.fs.Path("file://" + layout.filesGlob(SHOPIFY_SOURCES));
        try {
            FileSystem fs = glob.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(glob);
            if (matches == null) {
                return List.of();
            }
            return Arrays.stream(matches)
                    .filter(FileStatus::isFile)
                    .map(s -> new LandingFile(s.getPath().toString(),
                            layout.root().relativize(Path.of(s.getPath().toUri().getPath())).toString(),
                            s.getLen(), s.getModificationTime()))
                    .sorted(java.util.Comparator.comparing(LandingFile::location))
                    .collect(Collectors.toList());
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot list landing files " + glob + ": " + e.getMessage(), e);
        }
    }

    /**
     * The identity the record is kept under: the catalog, and a digest of its silver tables' Iceberg UUIDs (which a
     * table dropped and created again, or a new table, changes) and of the landing root.
     */
    static String identity(SparkSession spark, Lakehouse lakehouse, LandingLayout layout) {
        StringBuilder uuids = new StringBuilder("landing=" + layout.root() + "\n");
        for (String table : silverTables(lakehouse)) {
            Table iceberg = LakehouseTables.load(spark, table);
            String uuid = LakehouseTables.uuid(iceberg);
            uuids.append(table).append('=').append(uuid).append('\n');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(uuids.toString()
                    .getBytes(StandardCharsets.UTF_8));
            return lakehouse.catalog() + ":" + HexFormat.of().formatHex(digest, 0, 8);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot digest the silver tables' UUIDs: " + e.getMessage(), e);
        }
    }

    /** Whether every silver table the ingest writes holds no row (no snapshot, or one of zero records). */
    private static boolean silverIsEmpty(SparkSession spark, Lakehouse lakehouse) {
        for (String table : silverTables(lakehouse)) {
            Snapshot current = LakehouseTables.load(spark, table).currentSnapshot();
            if (current != null && !"0".equals(current.summary().getOrDefault("total-records", "0"))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> silverTables(Lakehouse lakehouse) {
        return List.of(lakehouse.customers(), lakehouse.orders(), lakehouse.orderLines(), lakehouse.checkouts(),
                lakehouse.refunds(), lakehouse.refundLines());
    }


    /**
     * A bulk line item carries no updated_at: it takes the one of its order from the same bulk operation (same
     * {@code _delivery_id}), so line and order are ordered consistently against webhooks. If the order line is
     * missing (it was rejected), the landing time stands in.
     */
    private static Dataset<Row> withParentUpdatedAt(Dataset<Row> lines, Dataset<Row> orders) {
        // The alias keeps the shop partitioning of the landed rows (Spark follows aliases), so neither side of the
        // join is shuffled again.
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
     *
     * <p>Into a table that holds no row yet (the first night), that MERGE inserts every source row, so the rows are
     * written as they are ({@link FirstWrite}): no join with the empty table and no second shuffle before the write.
     */
    private static long merge(SparkSession spark, Dataset<Row> source, String table, String... key) {
        Optional<Long> written = FirstWrite.ifEmpty(spark, source, table, true);
        if (written.isPresent()) {
            return written.get();
        }
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
