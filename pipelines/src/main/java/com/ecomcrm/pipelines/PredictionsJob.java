package com.ecomcrm.pipelines;

import com.ecomcrm.models.BgNbd;
import com.ecomcrm.models.BgNbdParameters;
import com.ecomcrm.models.ChurnRisk;
import com.ecomcrm.models.CustomerHistory;
import com.ecomcrm.models.CustomerLifetimeValue;
import com.ecomcrm.models.HistoryGroup;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

/**
 * Silver to {@code gold.customer_predictions} and {@code gold.shop_model_fits}: BG/NBD and Gamma-Gamma per shop as of
 * a logical date, and every customer's expected orders, probability of being alive, expected order value, 12-month
 * value with an interval, churn-risk band and expected next-order date.
 *
 * <p><b>Inputs.</b> Orders count by {@link QualifyingOrders} (the RFM definition). With the models' conventions
 * ({@code CalibrationSummary}): a customer's orders on one UTC day are one purchase day, its value their net sum; x =
 * purchase days after the first, t_x = days from the first to the last purchase day / 7, T = days from the first
 * purchase day to the as-of date / 7, m_x = mean value of the x repeat purchase days (first day excluded). All
 * aggregated in Spark; the driver receives per shop only the distinct (x, t_x, T) triples with counts (few: whole
 * days) and the distinct (x, repeat value) pairs of the repeat buyers with counts (about one per repeat buyer: 20
 * bytes each in primitive arrays, streamed with {@code toLocalIterator}, so 1M repeat buyers is ~20 MB), and fits
 * them there ({@link ShopModels}: own fit, or posterior mode under a prior pooled over all shops).
 *
 * <p><b>Predictions</b> run on the executors, each customer from the shop's parameters: the BG/NBD part is cached per
 * (shop, x, t_x, T), which customers share a lot. Prospects (customers of the RFM table without a counted order)
 * get {@code prediction_status = NO_ORDERS} and nulls. A customer whose prediction fails numerically gets
 * {@code MODEL_ERROR} and nulls, counted in the metrics, rather than failing the night.
 *
 * <p><b>CLV interval</b> (parameter uncertainty only, not the customer's own randomness): by the delta method on
 * ln CLV = ln E[Y(52 weeks)] + ln E[Z]: its gradient g in the 7 log-parameters (BG/NBD part by central differences,
 * step 1e-4; Gamma-Gamma part analytic) and the shop's covariance C of the log-parameters give sd = sqrt(g' C g),
 * and the interval is CLV exp(-1.96 sd) .. CLV exp(1.96 sd): a 95% interval, log-normal so it stays positive.
 * Deterministic.
 *
 * <p>Each table's (as_of_date) slice is replaced in one overwrite ({@link GoldSlice}), so re-running a date gives the same rows.
 */
public final class PredictionsJob {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionsJob.class);
    static final String PREDICTED = "PREDICTED";
    static final String NO_ORDERS = "NO_ORDERS";
    static final String MODEL_ERROR = "MODEL_ERROR";
    static final double Z_95 = 1.959963984540054;
    private static final double STEP = 1e-4;

    private PredictionsJob() {
    }

    /** What the run did; {@code statuses} counts shops per fit status. */
    public record Result(LocalDate asOfDate, long shops, long buyers, long prospects, long modelErrors,
                         Map<String, Long> statuses, ShopModels.Prior prior, double collectSeconds,
                         double fitSeconds) {
        public String summary() {
            return "as of " + asOfDate + ": " + shops + " shops " + statuses + ", " + buyers + " buyers predicted, "
                    + prospects + " prospects, " + modelErrors + " model errors; statistics to the driver "
                    + seconds(collectSeconds) + " s, fits " + seconds(fitSeconds) + " s";
        }

        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shops", shops);
            m.put("own", statuses.getOrDefault("OWN", 0L));
            m.put("blended", statuses.getOrDefault("BLENDED", 0L));
            m.put("pooled", statuses.getOrDefault("POOLED", 0L));
            m.put("buyers", buyers);
            m.put("prospects", prospects);
            m.put("rows_out", buyers + prospects);
            m.put("model_errors", modelErrors);
            m.put("collect_seconds", seconds(collectSeconds));
            m.put("fit_seconds", seconds(fitSeconds));
            m.put("prior", prior.pooledBg() && prior.pooledGg() ? "pooled" : "fallback");
            return m;
        }
    }

    public static Result run(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        try (CustomerDays days = CustomerDays.of(spark, lakehouse, asOfDate)) {
            return run(spark, lakehouse, asOfDate, days);
        }
    }

    /** As {@link #run(SparkSession, Lakehouse, LocalDate)} from purchase days another stage may share. */
    static Result run(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate, CustomerDays customerDays) {
        requireNonNull(asOfDate, "asOfDate is null");
        Dataset<Row> stats = customerStats(spark, customerDays, asOfDate).persist();
        // Read by name by the fits' statistics and the scoring. Dropping a view of a cached plan uncaches it (Spark's
        // Catalog.dropTempView), so the view goes only at the end, with the stats: dropped after the fits' reads, the
        // scoring recomputed the stats from the orders, twice.
        stats.createOrReplaceTempView("prediction_stats");
        try {
            long fitStart = System.nanoTime();
            List<ShopModels.ShopData> shops = collectShops(spark, asOfDate);
            double collectSeconds = (System.nanoTime() - fitStart) / 1e9;
            ShopModels.Prior prior = ShopModels.pooledPrior(shops);
            LOG.info("Collected the statistics of {} shops in {} s, pooled prior in {} s", shops.size(),
                    seconds(collectSeconds), seconds((System.nanoTime() - fitStart) / 1e9 - collectSeconds));
            Map<String, ShopModels.ShopFit> fits = fitAll(shops, prior);
            Map<String, Long> statuses = new TreeMap<>();
            fits.values().forEach(fit -> statuses.merge(fit.status().name(), 1L, Long::sum));
            double fitSeconds = (System.nanoTime() - fitStart) / 1e9 - collectSeconds;
            LOG.info("Prior (pooled BG/NBD {}, Gamma-Gamma {}): r, alpha, a, b = {}; p, q, v/scale = {}",
                    prior.pooledBg(), prior.pooledGg(), java.util.Arrays.toString(prior.bg()),
                    java.util.Arrays.toString(prior.ggUnit()));

            java.sql.Date day = java.sql.Date.valueOf(asOfDate);
            List<Row> fitRows = new ArrayList<>();
            for (ShopModels.ShopFit f : fits.values()) {
                fitRows.add(fitRow(f, day));
            }
            StructType fitSchema = spark.table(lakehouse.shopModelFits()).schema();
            spark.createDataFrame(fitRows, fitSchema).createOrReplaceTempView("model_fit_result");

            StructType schema = spark.table(lakehouse.customerPredictions()).schema();
            Dataset<Row> predictions = withProspects(spark, lakehouse, asOfDate)
                    .repartition(col("shop_id"))
                    .mapPartitions(new Predictor(fits, asOfDate), Encoders.row(schema))
                    .persist();
            try {
                predictions.createOrReplaceTempView("prediction_result");
                replaceSlice(spark, lakehouse.customerPredictions(), "prediction_result",
                        "t.shop_id = s.shop_id AND t.as_of_date = s.as_of_date AND t.customer_id = s.customer_id",
                        asOfDate);
                replaceSlice(spark, lakehouse.shopModelFits(), "model_fit_result",
                        "t.shop_id = s.shop_id AND t.as_of_date = s.as_of_date", asOfDate);
                Row c = spark.sql("SELECT count_if(prediction_status = '" + PREDICTED + "'),"
                        + " count_if(prediction_status = '" + NO_ORDERS + "'),"
                        + " count_if(prediction_status = '" + MODEL_ERROR + "') FROM prediction_result").first();
                Result result = new Result(asOfDate, fits.size(), c.getLong(0), c.getLong(1), c.getLong(2),
                        statuses, prior, collectSeconds, fitSeconds);
                LOG.info("Predictions {}", result.summary());
                return result;
            }
            finally {
                spark.catalog().dropTempView("prediction_result");
                spark.catalog().dropTempView("model_fit_result");
                predictions.unpersist();
            }
        }
        finally {
            spark.catalog().dropTempView("prediction_stats");
            stats.unpersist();
        }
    }

    /**
     * Every shop's fit, on as many driver threads as it has processors: each shop's fit depends on its own data and
     * the prior only (no shared state), so the results are the same as one after another, in a fraction of the time.
     */
    static Map<String, ShopModels.ShopFit> fitAll(List<ShopModels.ShopData> shops, ShopModels.Prior prior) {
        int threads = Math.max(1, Math.min(shops.size(), Runtime.getRuntime().availableProcessors()));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "shop-fit");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<ShopModels.ShopFit>> pending = new ArrayList<>(shops.size());
            for (ShopModels.ShopData shop : shops) {
                pending.add(pool.submit(() -> {
                    long shopStart = System.nanoTime();
                    ShopModels.ShopFit fit = ShopModels.fit(shop, prior);
                    double took = (System.nanoTime() - shopStart) / 1e9;
                    if (took > 0.5) {
                        LOG.info("Fitting {} ({} buyers, {}) took {} s", shop.shopId(), shop.buyers(), fit.status(),
                                seconds(took));
                    }
                    return fit;
                }));
            }
            Map<String, ShopModels.ShopFit> fits = new TreeMap<>();
            for (int i = 0; i < shops.size(); i++) {
                fits.put(shops.get(i).shopId(), pending.get(i).get());
            }
            return fits;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while fitting the shops' models", e);
        }
        catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("Cannot fit the shops' models: " + cause, cause);
        }
        finally {
            pool.shutdownNow();
        }
    }

    /**
     * Every customer (and every shop's fit) of the date is recomputed each night, so the date's slice is replaced
     * whole by an overwrite ({@link GoldSlice}): the MERGE it replaces re-read and rewrote every file of the table
     * (45-54 CPU s per 1M orders for the predictions at medium), the overwrite only writes the new rows.
     */
    private static void replaceSlice(SparkSession spark, String table, String view, String key, LocalDate asOfDate) {
        new GoldSlice(table, "as_of_date", GoldSlice.Range.ON, asOfDate).replaceWith(spark, view, key);
    }

    /**
     * One row per buyer: {@code shop_id, customer_id, x, tx_days, age_days, repeat_value (decimal), total_value,
     * first_day}, from the customers' purchase days ({@link CustomerDays}; sums in whole cents, exact).
     */
    static Dataset<Row> customerStats(SparkSession spark, CustomerDays customerDays, LocalDate asOfDate) {
        String asOf = "DATE '" + asOfDate + "'"; // from a LocalDate, never from user input
        requireNonNull(customerDays, "customerDays is null"); // read by its view, CustomerDays.VIEW
        return spark.sql("""
                    SELECT shop_id, customer_id,
                           CAST(count(*) - 1 AS INT) AS x,
                           datediff(max(day), min(day)) AS tx_days,
                           datediff(%1$s, min(day)) AS age_days,
                           %2$s AS repeat_value,
                           %3$s AS total_value,
                           min(day) AS first_day
                    FROM customer_days
                    GROUP BY shop_id, customer_id
                    """.formatted(asOf, CustomerDays.money("sum(net_cents) - min_by(net_cents, day)"),
                    CustomerDays.money("sum(net_cents)")));
    }

    /** Buyers' stats (view {@code prediction_stats}) plus the prospects (the RFM job's definition), whose x is null. */
    private static Dataset<Row> withProspects(SparkSession spark, Lakehouse lakehouse, LocalDate asOfDate) {
        String endOfDay = "TIMESTAMP '" + asOfDate.plusDays(1) + " 00:00:00'";
        return spark.sql("""
                    SELECT shop_id, customer_id, x, tx_days, age_days, repeat_value FROM prediction_stats
                    UNION ALL
                    SELECT p.shop_id, p.customer_id, CAST(NULL AS INT), CAST(NULL AS INT), CAST(NULL AS INT),
                           CAST(NULL AS DECIMAL(18,2))
                    FROM %1$s p LEFT ANTI JOIN prediction_stats b
                      ON p.shop_id = b.shop_id AND p.customer_id = b.customer_id
                    WHERE NOT coalesce(p.deleted, false)
                      AND (p.created_at IS NULL OR p.created_at < %2$s)
                    """.formatted(lakehouse.customers(), endOfDay));
    }

    /**
     * The shops' sufficient statistics (from view {@code prediction_stats}), streamed to the driver (see the class
     * comment for the memory bound).
     */
    static List<ShopModels.ShopData> collectShops(SparkSession spark, LocalDate asOfDate) {
        String asOf = "DATE '" + asOfDate + "'";
        Map<String, Row> summaries = new TreeMap<>();
        spark.sql("SELECT shop_id, count(*) AS buyers, count_if(x > 0) AS repeat_buyers,"
                        + " datediff(" + asOf + ", min(first_day)) AS history_days,"
                        + " sum(total_value) AS value, sum(x + 1) AS purchase_days"
                        + " FROM prediction_stats GROUP BY shop_id").collectAsList()
                .forEach(r -> summaries.put(r.getString(0), r));
        Map<String, List<HistoryGroup>> groups = new HashMap<>();
        Iterator<Row> g = spark.sql("SELECT shop_id, x, tx_days, age_days, count(*) FROM prediction_stats"
                + " GROUP BY shop_id, x, tx_days, age_days").toLocalIterator();
        while (g.hasNext()) {
            Row r = g.next();
            groups.computeIfAbsent(r.getString(0), s -> new ArrayList<>()).add(new HistoryGroup(r.getInt(1),
                    r.getInt(2) / 7.0, r.getInt(3) / 7.0, r.getLong(4)));
        }
        Map<String, SpendBuilder> spend = new HashMap<>();
        Iterator<Row> s = spark.sql("SELECT shop_id, x, repeat_value, count(*) FROM prediction_stats"
                + " WHERE x > 0 AND repeat_value > 0 GROUP BY shop_id, x, repeat_value").toLocalIterator();
        while (s.hasNext()) {
            Row r = s.next();
            spend.computeIfAbsent(r.getString(0), k -> new SpendBuilder())
                    .add(r.getInt(1), meanRepeatValue(r.getDecimal(2), r.getInt(1)), r.getLong(3));
        }
        List<ShopModels.ShopData> shops = new ArrayList<>(summaries.size());
        for (Map.Entry<String, Row> e : summaries.entrySet()) {
            Row r = e.getValue();
            double scale = r.getDecimal(4).doubleValue() / r.getLong(5);
            SpendBuilder b = spend.get(e.getKey());
            shops.add(new ShopModels.ShopData(e.getKey(), r.getLong(1), r.getLong(2), r.getInt(3), scale,
                    ShopModels.sortedGroups(groups.getOrDefault(e.getKey(), List.of())),
                    b == null ? ModelLikelihoods.SpendGroups.empty() : b.build()));
        }
        return shops;
    }

    /** m_x as the models compute it ({@code CalibrationSummary}): the repeat total / x to 10 places, half-even. */
    static double meanRepeatValue(BigDecimal repeatValue, int x) {
        return repeatValue.divide(BigDecimal.valueOf(x), 10, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static final class SpendBuilder {
        private int[] x = new int[16];
        private double[] mx = new double[16];
        private double[] count = new double[16];
        private int size;
        private long customers;

        void add(int frequency, double meanValue, long n) {
            if (size == x.length) {
                x = java.util.Arrays.copyOf(x, size * 2);
                mx = java.util.Arrays.copyOf(mx, size * 2);
                count = java.util.Arrays.copyOf(count, size * 2);
            }
            x[size] = frequency;
            mx[size] = meanValue;
            count[size] = n;
            size++;
            customers += n;
        }

        ModelLikelihoods.SpendGroups build() {
            return ShopModels.sortSpend(java.util.Arrays.copyOf(x, size), java.util.Arrays.copyOf(mx, size),
                    java.util.Arrays.copyOf(count, size), customers);
        }
    }

    private static Row fitRow(ShopModels.ShopFit f, java.sql.Date day) {
        return RowFactory.create(f.shopId(), day, f.status().name(), f.buyers(), f.repeatBuyers(), f.historyDays(),
                f.bg()[0], f.bg()[1], f.bg()[2], f.bg()[3], f.bgLogLikelihood(),
                f.gg()[0], f.gg()[1], f.gg()[2], f.ggLogLikelihood(), f.converged(),
                f.standardError(true, 0), f.standardError(true, 1), f.standardError(true, 2),
                f.standardError(true, 3), f.standardError(false, 0), f.standardError(false, 1),
                f.standardError(false, 2));
    }

    /** The per-customer predictions of one partition; the BG/NBD part cached per (shop, x, t_x, T). */
    static final class Predictor implements MapPartitionsFunction<Row, Row>, Serializable {
        private final Map<String, ShopModels.ShopFit> fits;
        private final LocalDate asOf;

        Predictor(Map<String, ShopModels.ShopFit> fits, LocalDate asOf) {
            this.fits = new HashMap<>(fits);
            this.asOf = asOf;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            Map<String, BgPart> cache = new HashMap<>();
            Map<String, BgNbdParameters> params = new HashMap<>();
            java.sql.Date day = java.sql.Date.valueOf(asOf);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return input.hasNext();
                }

                @Override
                public Row next() {
                    return predict(input.next(), day, cache, params);
                }
            };
        }

        Row predict(Row in, java.sql.Date day, Map<String, BgPart> cache, Map<String, BgNbdParameters> params) {
            String shop = in.getString(0);
            long customer = in.getLong(1);
            if (in.isNullAt(2)) {
                return empty(shop, day, customer, NO_ORDERS, null, null, null, null);
            }
            int x = in.getInt(2);
            int txDays = in.getInt(3);
            int ageDays = in.getInt(4);
            BigDecimal repeatValue = in.getDecimal(5);
            double tx = txDays / 7.0;
            double age = ageDays / 7.0;
            double mx = x == 0 ? 0.0 : meanRepeatValue(repeatValue, x);
            BigDecimal mxDecimal = x == 0 ? BigDecimal.ZERO.setScale(2)
                    : repeatValue.divide(BigDecimal.valueOf(x), 2, RoundingMode.HALF_UP);
            ShopModels.ShopFit fit = fits.get(shop);
            try {
                if (fit == null) {
                    throw new IllegalStateException("no fit for shop " + shop);
                }
                BgNbdParameters bg = params.computeIfAbsent(shop, s -> fit.bgNbd());
                BgPart b = cache.computeIfAbsent(shop + '|' + x + '|' + txDays + '|' + ageDays,
                        k -> BgPart.of(bg, fit.bg(), x, tx, age, asOf));
                double[] ggGradient = new double[3];
                double value = expectedValue(fit, x, mx, ggGradient);
                double clv = b.e52 * value;
                double variance = quadratic(b.logGradient, fit.bgCovariance())
                        + quadratic(ggGradient, fit.ggCovariance());
                double sd = Math.sqrt(variance);
                double low = clv * Math.exp(-Z_95 * sd);
                double high = clv * Math.exp(Z_95 * sd);
                double[] all = {b.e30, b.e90, b.e365, b.alive, value, clv, low, high};
                for (double v : all) {
                    if (!Double.isFinite(v) || v < 0) {
                        throw new ArithmeticException("non-finite or negative prediction " + v);
                    }
                }
                return RowFactory.create(shop, day, customer, PREDICTED, x, tx, age, mxDecimal, b.e30, b.e90,
                        b.e365, b.alive, money(value), money(clv), money(low), money(high),
                        ChurnRisk.of(b.alive).name(), b.nextOrder == null ? null : java.sql.Date.valueOf(b.nextOrder));
            }
            catch (RuntimeException e) {
                LOG.warn("Cannot predict customer {} of {} (x {}, t_x {}, T {}, m_x {}): {}", customer, shop, x, tx,
                        age, mx, e.toString());
                return empty(shop, day, customer, MODEL_ERROR, x, tx, age, mxDecimal);
            }
        }

        private static Row empty(String shop, java.sql.Date day, long customer, String status, Integer x, Double tx,
                                 Double age, BigDecimal mx) {
            return RowFactory.create(shop, day, customer, status, x, tx, age, mx, null, null, null, null, null,
                    null, null, null, null, null);
        }
    }

    /**
     * Gamma-Gamma E[Z | x, m_x] = p (v + x m_x) / (p x + q - 1), and d ln E[Z] / d(ln p, ln q, ln v) into
     * {@code gradient}. (Own and blended fits have q &gt; 1; should p x + q - 1 not be positive, the shop's spend
     * scale is used, with no uncertainty contribution.)
     */
    static double expectedValue(ShopModels.ShopFit fit, int x, double mx, double[] gradient) {
        double p = fit.gg()[0];
        double q = fit.gg()[1];
        double v = fit.gg()[2];
        double denominator = p * x + q - 1;
        if (!(denominator > 0)) {
            java.util.Arrays.fill(gradient, 0.0);
            return fit.spendScale();
        }
        gradient[0] = 1 - p * x / denominator;
        gradient[1] = -q / denominator;
        gradient[2] = v / (v + x * mx);
        return p * (v + x * mx) / denominator;
    }

    private static double quadratic(double[] g, double[][] c) {
        double total = 0;
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < g.length; j++) {
                total += g[i] * c[i][j] * g[j];
            }
        }
        return Math.max(0, total);
    }

    private static String seconds(double seconds) {
        return String.format(java.util.Locale.ROOT, "%.2f", seconds);
    }

    private static BigDecimal money(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP);
    }

    /** What BG/NBD says for one (x, t_x, T): expectations, P(alive), next order, d ln E[Y(52)] / d ln params. */
    record BgPart(double e30, double e90, double e365, double e52, double alive, LocalDate nextOrder,
                  double[] logGradient) {
        static BgPart of(BgNbdParameters bg, double[] params, int x, double tx, double age, LocalDate asOf) {
            double e52 = BgNbd.expectedPurchases(bg, x, tx, age, CustomerLifetimeValue.CLV_HORIZON_WEEKS);
            double[] gradient = new double[4];
            if (e52 > 0) {
                for (int i = 0; i < 4; i++) {
                    gradient[i] = (Math.log(shifted(params, i, STEP, x, tx, age))
                            - Math.log(shifted(params, i, -STEP, x, tx, age))) / (2 * STEP);
                }
            }
            Optional<LocalDate> next = CustomerLifetimeValue.expectedNextOrder(bg,
                    new CustomerHistory("c", x, tx, age, 0.0), asOf);
            return new BgPart(BgNbd.expectedPurchases(bg, x, tx, age, 30 / 7.0),
                    BgNbd.expectedPurchases(bg, x, tx, age, 90 / 7.0),
                    BgNbd.expectedPurchases(bg, x, tx, age, 365 / 7.0), e52,
                    BgNbd.probabilityAlive(bg, x, tx, age), next.orElse(null), gradient);
        }

        private static double shifted(double[] params, int i, double step, int x, double tx, double age) {
            double[] p = params.clone();
            p[i] *= Math.exp(step);
            return BgNbd.expectedPurchases(BgNbdParameters.of(p[0], p[1], p[2], p[3]), x, tx, age,
                    CustomerLifetimeValue.CLV_HORIZON_WEEKS);
        }
    }
}
