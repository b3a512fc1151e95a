package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * ClickHouse as seen by one shop: every read renders its template with this shop's {@code {shop}}, every written
 * row gets this shop's {@code shop_id}. Application code gets one of these from {@link ClickHouseGateway#forShop}
 * and has no way to reach another shop's rows through it.
 */
public final class ShopScope {
    public static final String SHOP_COLUMN = "shop_id";
    static final String FORMAT_SUFFIX = "\nFORMAT JSONEachRow";
    static final String TAB_SEPARATED_SUFFIX = "\nFORMAT TabSeparated";

    private static final SqlTemplate CURRENT_PUBLICATION =
            SqlTemplate.of("SELECT max(publish_id) AS p FROM shop_publications WHERE shop_id = {shop}");

    private final ShopId shop;
    private final ClickHouseTransport transport;
    private final ObjectMapper json;

    ShopScope(ShopId shop, ClickHouseTransport transport, ObjectMapper json) {
        this.shop = requireNonNull(shop, "shop is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.json = requireNonNull(json, "json is null");
    }

    public ShopId shop() {
        return shop;
    }

    /**
     * Runs a SELECT and returns one JSON object per row. The gateway appends {@code FORMAT JSONEachRow} (newline
     * first, so a trailing {@code --} comment can't swallow it). 64-bit integers arrive as JSON numbers; Date is
     * {@code "yyyy-mm-dd"}, DateTime {@code "yyyy-mm-dd hh:mm:ss"} in the server's time zone.
     */
    public List<JsonNode> select(SqlTemplate query) {
        requireNonNull(query, "query is null");
        return transport.queryJsonEachRow(selectSql(query) + FORMAT_SUFFIX);
    }

    private String selectSql(SqlTemplate query) {
        String sql = query.render(shop);
        String head = sql.stripLeading();
        if (!(startsWithWord(head, "SELECT") || startsWithWord(head, "WITH") || head.startsWith("("))) {
            throw new DomainException(ErrorCode.INTERNAL,
                    "Cannot select with a statement that is not a SELECT; use execute(): " + query.sql());
        }
        return sql;
    }

    /**
     * Runs a SELECT like {@link #select} but hands each row to {@code rows} as it arrives from the server instead of
     * collecting the result: the memory it takes is one row, whatever the result's size (a customer export of a
     * million rows). The caller's {@code rows} may block (a slow download holding the read back); an exception it
     * throws stops the query and is rethrown. Rows are not buffered on the server either, so an error ClickHouse
     * meets half-way arrives after rows already handed over: it is thrown then, and the caller must treat what it
     * received as incomplete.
     *
     * @return the number of rows handed over
     */
    public long stream(SqlTemplate query, Consumer<JsonNode> rows) {
        requireNonNull(query, "query is null");
        requireNonNull(rows, "rows is null");
        return transport.streamJsonEachRow(selectSql(query) + FORMAT_SUFFIX, rows);
    }

    /**
     * {@link #stream} with the rows read as {@code TabSeparated} instead of JSON (the gateway appends the format): each
     * row's cells as text, exactly {@code columns} of them, NULL as {@code null}. For large results read by position
     * (the customer export): a third of JSON's bytes and no object per cell. A 64-bit integer arrives exactly as
     * written; a Float64 as its shortest round-trip text.
     *
     * @return the number of rows handed over
     */
    public long streamTabSeparated(SqlTemplate query, int columns, Consumer<String[]> rows) {
        requireNonNull(query, "query is null");
        requireNonNull(rows, "rows is null");
        if (columns < 1) {
            throw new IllegalArgumentException("Cannot read rows of " + columns + " columns");
        }
        return transport.streamTabSeparated(selectSql(query) + TAB_SEPARATED_SUFFIX, columns, rows);
    }

    /**
     * Runs a statement with no result for this shop, e.g. the publisher's
     * {@code ALTER TABLE customer_rfm DELETE WHERE shop_id = {shop} AND publish_id < {keep}}.
     */
    public void execute(SqlTemplate statement) {
        requireNonNull(statement, "statement is null");
        transport.execute(statement.render(shop));
    }

    /**
     * Inserts rows into {@code table} as JSONEachRow. Each row's {@code shop_id} is set to this scope's shop; a row
     * that names another shop is refused (whole batch, before anything is sent), because it means a caller mixed
     * tenants. Columns are the union of the rows' keys; a row without a key gets the column's default.
     *
     * <p>Values: String, Number, Boolean, null, List/Map (arrays/nested), {@link LocalDate} as {@code yyyy-mm-dd},
     * {@link Instant}/{@link OffsetDateTime}/{@link ZonedDateTime} as epoch seconds (time-zone-free for a DateTime
     * column on either server). {@link LocalDateTime} is refused: its instant depends on a zone nobody stated.
     *
     * @return the number of rows sent
     */
    public int insertRows(String table, List<? extends Map<String, ?>> rows) {
        SqlLiterals.identifier(table);
        requireNonNull(rows, "rows is null");
        if (rows.isEmpty()) {
            return 0;
        }
        Set<String> columns = new LinkedHashSet<>();
        columns.add(SHOP_COLUMN);
        List<Map<String, Object>> prepared = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, ?> row = requireNonNull(rows.get(i), "row " + i + " is null");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put(SHOP_COLUMN, shop.domain());
            for (Map.Entry<String, ?> e : row.entrySet()) {
                String column = SqlLiterals.identifier(e.getKey());
                if (SHOP_COLUMN.equals(column)) {
                    checkShop(table, i, e.getValue());
                    continue;
                }
                columns.add(column);
                out.put(column, jsonValue(table, column, e.getValue()));
            }
            prepared.add(out);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(rows.size() * 128);
        try {
            for (Map<String, Object> row : prepared) {
                body.writeBytes(json.writeValueAsBytes(row));
                body.write('\n');
            }
        } catch (JsonProcessingException e) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot insert into " + table + ": " + e.getOriginalMessage(), e);
        }
        transport.insertJsonEachRow(table, List.copyOf(columns), body.toByteArray());
        return prepared.size();
    }

    /**
     * The newest publication of this shop ({@code max(publish_id)} from {@code shop_publications}), 0 when the shop
     * has none yet. Readers filter serving tables by it so a half-written publication is never seen.
     */
    public long currentPublication() {
        List<JsonNode> rows = select(CURRENT_PUBLICATION);
        if (rows.isEmpty()) {
            return 0; // an aggregate without GROUP BY always returns a row, but don't bet on it
        }
        JsonNode p = rows.get(0).get("p");
        return p == null || p.isNull() ? 0 : p.asLong();
    }

    @Override
    public String toString() {
        return "ShopScope[" + shop + "]";
    }

    private void checkShop(String table, int index, Object value) {
        if (value == null) {
            return;
        }
        String given = value instanceof ShopId id ? id.domain() : value.toString();
        if (!shop.domain().equals(given)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot insert into " + table + ": row " + index
                    + " has shop_id '" + printable(given) + "' but this scope is for shop '" + shop.domain() + "'");
        }
    }

    static Object jsonValue(String table, String column, Object value) {
        if (value instanceof LocalDate d) {
            return d.toString();
        }
        if (value instanceof Instant t) {
            return t.getEpochSecond();
        }
        if (value instanceof OffsetDateTime t) {
            return t.toEpochSecond();
        }
        if (value instanceof ZonedDateTime t) {
            return t.toEpochSecond();
        }
        if (value instanceof ShopId s) {
            return s.domain();
        }
        if (value instanceof LocalDateTime) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot insert into " + table + "." + column
                    + ": LocalDateTime has no time zone; pass an Instant");
        }
        return value;
    }

    private static boolean startsWithWord(String s, String word) {
        return s.regionMatches(true, 0, word, 0, word.length())
                && (s.length() == word.length() || !Character.isLetterOrDigit(s.charAt(word.length())));
    }

    private static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
