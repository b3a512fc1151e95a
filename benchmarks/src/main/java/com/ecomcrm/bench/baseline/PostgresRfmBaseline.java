package com.ecomcrm.bench.baseline;

import com.ecomcrm.bench.StageResult;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.RfmScores;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The PostgreSQL RFM baseline of the foundation benchmark: the bulk shops' orders loaded into the benchmark's own
 * database with COPY (timed on its own), scored with NTILE (timed on its own, compared with the Spark rfm stage), and
 * the scores compared customer by customer with the ones our pipeline published to ClickHouse, for every buyer of
 * the first {@value #SAMPLE_SHOPS} shops.
 */
public final class PostgresRfmBaseline {
    public static final String SCHEMA = "rfm_baseline";
    static final int SAMPLE_SHOPS = 20;
    /** Our published scores of one shop's buyers (prospects have no scores), read as the API reads them. */
    private static final SqlTemplate PUBLISHED_SCORES = SqlTemplate.of(
            "SELECT toString(customer_id) AS customer, r_score, f_score, m_score FROM customer_rfm"
                    + " WHERE shop_id = {shop} AND frequency > 0"
                    + " AND publish_id = (SELECT max(publish_id) FROM shop_publications WHERE shop_id = {shop})");

    private final Supplier<Connection> postgres;
    private final PostgresRfm rfm = new PostgresRfm(SCHEMA);

    public PostgresRfmBaseline(Supplier<Connection> postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /** Agreement of the baseline's scores with ours over {@code customers} buyers, in percent. */
    public record Agreement(long customers, long missing, double recencyPercent, double frequencyPercent,
                            double monetaryPercent, double allThreePercent, double segmentPercent) {
        Map<String, Object> details() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("agreement_customers_compared", customers);
            d.put("agreement_missing_in_baseline", missing);
            d.put("agreement_r_pct", recencyPercent);
            d.put("agreement_f_pct", frequencyPercent);
            d.put("agreement_m_pct", monetaryPercent);
            d.put("agreement_rfm_pct", allThreePercent);
            d.put("agreement_segment_pct", segmentPercent);
            return d;
        }
    }

    /**
     * The load stage and the query stage. {@code sparkRfmSeconds} is the pipeline's own rfm stage time (null when the
     * pipeline did not run; then no ratio and no agreement are reported).
     */
    public List<StageResult> run(List<SimulatedStore> stores, LocalDate asOf, ClickHouseGateway clickHouse,
                                 Double sparkRfmSeconds) throws Exception {
        List<BaselineOrder> orders = new ArrayList<>();
        stores.forEach(store -> orders.addAll(BaselineOrder.of(store)));
        List<StageResult> stages = new ArrayList<>();
        try (Connection connection = postgres.get()) {
            rfm.createTables(connection);
            long start = System.nanoTime();
            long loaded = rfm.load(connection, orders);
            rfm.index(connection);
            stages.add(StageResult.timed("baseline: PostgreSQL COPY of the orders (+ index, analyze)", start, loaded,
                    "orders"));

            start = System.nanoTime();
            long scored = rfm.score(connection, asOf);
            StageResult query = StageResult.timed("baseline: RFM in PostgreSQL (NTILE)", start, scored, "buyers");
            Map<String, Object> details = new LinkedHashMap<>();
            if (sparkRfmSeconds != null) {
                details.put("spark_rfm_seconds", sparkRfmSeconds);
                // How many times longer the Spark stage took (it also MERGEs the scores into Iceberg).
                details.put("spark_rfm_over_postgres_x", Math.round(sparkRfmSeconds / query.seconds() * 10) / 10.0);
                details.putAll(agreement(connection, stores, clickHouse).details());
            }
            stages.add(query.with(null, null, details));
        }
        return stages;
    }

    private Agreement agreement(Connection connection, List<SimulatedStore> stores, ClickHouseGateway clickHouse)
            throws Exception {
        long compared = 0;
        long missing = 0;
        long r = 0;
        long f = 0;
        long m = 0;
        long all = 0;
        long segment = 0;
        for (SimulatedStore store : stores.subList(0, Math.min(SAMPLE_SHOPS, stores.size()))) {
            ShopId shop = store.shop();
            Map<Long, PostgresRfm.Scores> baseline = rfm.scores(connection, shop);
            for (JsonNode row : clickHouse.forShop(shop).select(PUBLISHED_SCORES)) {
                compared++;
                PostgresRfm.Scores theirs = baseline.get(Long.parseLong(row.get("customer").asText()));
                if (theirs == null) {
                    missing++;
                    continue;
                }
                RfmScores ours = new RfmScores(row.get("r_score").asInt(), row.get("f_score").asInt(),
                        row.get("m_score").asInt());
                boolean sameR = ours.recency() == theirs.recency();
                boolean sameF = ours.frequency() == theirs.frequency();
                boolean sameM = ours.monetary() == theirs.monetary();
                r += sameR ? 1 : 0;
                f += sameF ? 1 : 0;
                m += sameM ? 1 : 0;
                all += sameR && sameF && sameM ? 1 : 0;
                segment += ours.segment() == new RfmScores(theirs.recency(), theirs.frequency(), theirs.monetary())
                        .segment() ? 1 : 0;
            }
        }
        return new Agreement(compared, missing, percent(r, compared), percent(f, compared), percent(m, compared),
                percent(all, compared), percent(segment, compared));
    }

    static double percent(long part, long whole) {
        return whole == 0 ? 0 : Math.round(1000.0 * part / whole) / 10.0;
    }
}
