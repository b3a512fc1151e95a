package com.ecomcrm.bench.baseline;

import com.ecomcrm.domain.ShopId;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * RFM computed the way a typical Shopify app computes it, the baseline of our Spark RFM stage: the orders in a
 * PostgreSQL table (loaded with COPY), and one SQL statement with {@code NTILE(5)} window functions per shop,
 * materialised into a scores table. The orders that count are ours ({@code QualifyingOrders}: processed by the end of
 * the as-of day, not a test, not cancelled, something left after refunds), so the only intended difference is how
 * ties are scored: NTILE cuts a run of equal values across two scores, where our {@code QuintileScore} gives equal
 * values equal scores.
 */
public final class PostgresRfm {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

    private final String schema;

    /** @param schema where the two tables live ({@code rfm_orders}, {@code rfm_scores}); created if missing */
    public PostgresRfm(String schema) {
        requireNonNull(schema, "schema is null");
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("Cannot use schema '" + schema + "': not a plain lower-case identifier");
        }
        this.schema = schema;
    }

    /** A customer's scores, 1-5 each, as the baseline gives them. */
    public record Scores(int recency, int frequency, int monetary) {
    }

    /** Drops and creates the orders table. */
    public void createTables(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            statement.execute("DROP TABLE IF EXISTS " + schema + ".rfm_scores");
            statement.execute("DROP TABLE IF EXISTS " + schema + ".rfm_orders");
            statement.execute("CREATE TABLE " + schema + ".rfm_orders (shop_id text NOT NULL,"
                    + " customer_id bigint NOT NULL, order_id bigint NOT NULL, processed_at timestamptz NOT NULL,"
                    + " total_price numeric(18,2) NOT NULL, total_refunded numeric(18,2) NOT NULL,"
                    + " test boolean NOT NULL, cancelled_at timestamptz)");
        }
    }

    /** Loads the orders with COPY (CSV) in one transaction-less stream; returns the rows loaded. */
    public long load(Connection connection, List<BaselineOrder> orders) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + schema
                + ".rfm_orders (shop_id, customer_id, order_id, processed_at, total_price, total_refunded, test,"
                + " cancelled_at) FROM STDIN (FORMAT csv)");
        try {
            StringBuilder batch = new StringBuilder(1 << 20);
            for (BaselineOrder o : orders) {
                // Shop domains are [a-z0-9.-] (ShopId), so no CSV quoting is needed.
                batch.append(o.shop().domain()).append(',').append(o.customerId()).append(',').append(o.orderId())
                        .append(',').append(o.processedAt()).append(',').append(o.totalPrice().toPlainString())
                        .append(',').append(o.totalRefunded().toPlainString()).append(',').append(o.test())
                        .append(',').append(o.cancelledAt() == null ? "" : o.cancelledAt().toString()).append('\n');
                if (batch.length() > (1 << 20) - 512) {
                    write(copy, batch);
                }
            }
            write(copy, batch);
            return copy.endCopy();
        }
        finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** Indexes the table the way an app would for this query, then ANALYZE (part of the load, not of the query). */
    public void index(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE INDEX ON " + schema + ".rfm_orders (shop_id, customer_id)");
            statement.execute("ANALYZE " + schema + ".rfm_orders");
        }
    }

    /** Computes every shop's scores as of the end of {@code asOf} (UTC) into {@code rfm_scores}; returns the rows. */
    public long score(Connection connection, LocalDate asOf) throws SQLException {
        requireNonNull(asOf, "asOf is null");
        try (Statement drop = connection.createStatement()) {
            drop.execute("DROP TABLE IF EXISTS " + schema + ".rfm_scores");
        }
        String sql = "CREATE TABLE " + schema + ".rfm_scores AS"
                + " WITH buyers AS ("
                + "   SELECT shop_id, customer_id,"
                + "          ?::date - max((processed_at AT TIME ZONE 'UTC')::date) AS recency_days,"
                + "          count(*) AS frequency,"
                + "          sum(total_price - total_refunded) AS monetary"
                + "   FROM " + schema + ".rfm_orders"
                + "   WHERE NOT test AND cancelled_at IS NULL AND processed_at < ?"
                + "     AND total_price > 0 AND total_price - total_refunded > 0"
                + "   GROUP BY shop_id, customer_id)"
                + " SELECT shop_id, customer_id, recency_days, frequency, monetary,"
                + "        ntile(5) OVER (PARTITION BY shop_id ORDER BY recency_days DESC) AS r_score,"
                + "        ntile(5) OVER (PARTITION BY shop_id ORDER BY frequency) AS f_score,"
                + "        ntile(5) OVER (PARTITION BY shop_id ORDER BY monetary) AS m_score"
                + " FROM buyers";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, asOf);
            statement.setObject(2, asOf.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
            return statement.executeUpdate();
        }
    }

    /** One shop's scores by customer id, from {@code rfm_scores}. */
    public Map<Long, Scores> scores(Connection connection, ShopId shop) throws SQLException {
        Map<Long, Scores> scores = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT customer_id, r_score, f_score, m_score"
                + " FROM " + schema + ".rfm_scores WHERE shop_id = ?")) {
            statement.setString(1, shop.domain());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    scores.put(rows.getLong(1), new Scores(rows.getInt(2), rows.getInt(3), rows.getInt(4)));
                }
            }
        }
        return scores;
    }

    private static void write(CopyIn copy, StringBuilder batch) throws SQLException {
        byte[] bytes = batch.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        batch.setLength(0);
    }
}
