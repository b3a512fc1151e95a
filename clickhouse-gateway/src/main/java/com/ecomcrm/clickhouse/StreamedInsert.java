package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * One {@code INSERT INTO table (columns) FORMAT JSONEachRow} carrying the rows of many shops, sent while the rows are
 * written: a batch job (the nightly publish) makes one INSERT per table for the whole run instead of one per shop and
 * table, without holding the rows in memory. Every row is written for a named shop and gets that shop's
 * {@code shop_id}; a row that names another shop is refused, as in {@link ShopScope#insertRows}, and the rows written
 * per shop are counted so the caller can check them against what the server holds before it publishes anything.
 *
 * <p>The columns are fixed when the insert starts (the statement is sent first); a row without a column gets the
 * column's default, a row with a column not declared is refused. Rows are serialised into chunks of about
 * {@value #CHUNK_BYTES} bytes handed to a sender thread, which streams them as the body of one HTTP request; at most
 * {@value #CHUNKS_IN_FLIGHT} chunks wait, so a slow server slows the writer down instead of filling the heap.
 *
 * <p>Not atomic: ClickHouse stores a long insert block by block, so rows written before a failure may stay. Callers
 * write rows under a publication nobody reads yet and switch to it only after {@link #finish()} returned and the counts
 * are checked. The client never retries a streamed insert (its rows cannot be replayed): a failure is reported.
 * One writer thread; not thread-safe.
 */
public final class StreamedInsert implements AutoCloseable {
    static final int CHUNK_BYTES = 1 << 18;
    static final int CHUNKS_IN_FLIGHT = 8;
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    /** The body of an insert, written to the request as it is produced. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private final String table;
    private final Set<String> columns;
    /** Column names quoted once, not per row. */
    private final Map<String, com.fasterxml.jackson.core.io.SerializedString> names = new java.util.HashMap<>();
    /** The last date written and its text: a publication's rows mostly carry one date. */
    private java.time.LocalDate lastDate;
    private String lastDateText;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(CHUNK_BYTES + 64 * 1024);
    private final JsonGenerator generator;
    private final Map<ShopId, Long> rowsPerShop = new LinkedHashMap<>();
    private final Thread sender;
    private volatile Throwable failure;
    private long rows;
    private boolean done;

    StreamedInsert(ClickHouseTransport transport, ObjectMapper json, String table, List<String> columns) {
        requireNonNull(transport, "transport is null");
        requireNonNull(json, "json is null");
        this.table = SqlLiterals.identifier(table);
        requireNonNull(columns, "columns is null");
        Set<String> declared = new LinkedHashSet<>();
        declared.add(ShopScope.SHOP_COLUMN);
        for (String column : columns) {
            declared.add(SqlLiterals.identifier(column));
        }
        this.columns = Collections.unmodifiableSet(declared);
        for (String column : declared) {
            names.put(column, new com.fasterxml.jackson.core.io.SerializedString(column));
        }
        try {
            this.generator = json.getFactory().createGenerator(buffer);
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot start a JSON writer in memory", e);
        }
        List<String> names = List.copyOf(this.columns);
        this.sender = new Thread(() -> {
            try {
                transport.insertJsonEachRow(this.table, names, this::drainTo);
            }
            catch (Throwable t) {
                failure = t;
                chunks.clear(); // unblocks a writer waiting for room; it sees the failure next
            }
        }, "clickhouse-insert-" + this.table);
        sender.setDaemon(true);
        sender.start();
    }

    public String table() {
        return table;
    }

    /**
     * Writes one row of {@code shop}: keys are column names (declared when the insert started), values as
     * {@link ShopScope#insertRows} takes them. The row's {@code shop_id}, if given, must be {@code shop}.
     */
    public void write(ShopId shop, Map<String, ?> row) {
        requireNonNull(shop, "shop is null");
        requireNonNull(row, "row is null");
        if (done) {
            throw new IllegalStateException("Cannot write to the insert into " + table + ": it is finished");
        }
        checkSender();
        // The whole row is checked before any of it is written, so a refused row leaves the stream as it was.
        String[] names = new String[row.size()];
        Object[] values = new Object[row.size()];
        int n = 0;
        for (Map.Entry<String, ?> e : row.entrySet()) {
            String column = e.getKey();
            if (ShopScope.SHOP_COLUMN.equals(column)) {
                checkShop(shop, e.getValue());
            }
            else if (!columns.contains(column)) {
                throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot insert into " + table + ": column '"
                        + column + "' was not declared when the insert started (" + columns + ")");
            }
            else {
                names[n] = column;
                values[n++] = e.getValue() instanceof java.time.LocalDate d ? dateText(d)
                        : ShopScope.jsonValue(table, column, e.getValue());
            }
        }
        try {
            generator.writeStartObject();
            generator.writeStringField(ShopScope.SHOP_COLUMN, shop.domain());
            for (int i = 0; i < n; i++) {
                generator.writeFieldName(this.names.get(names[i]));
                writeValue(values[i]);
            }
            generator.writeEndObject();
            generator.writeRaw('\n');
        }
        catch (IOException e) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot insert into " + table + ": " + e.getMessage(), e);
        }
        rows++;
        rowsPerShop.merge(shop, 1L, Long::sum);
        if (buffer.size() >= CHUNK_BYTES) {
            handOver();
        }
    }

    /** Rows written so far, per shop in the order the shops were first written. */
    public Map<ShopId, Long> rowsPerShop() {
        return Collections.unmodifiableMap(rowsPerShop);
    }

    public long rows() {
        return rows;
    }

    /**
     * Ends the body and waits for the server's answer.
     *
     * @return the number of rows sent
     * @throws DomainException when the server refused the insert or could not be reached
     */
    public long finish() {
        if (done) {
            throw new IllegalStateException("The insert into " + table + " is already finished");
        }
        handOver();
        put(END);
        done = true;
        join();
        checkSender();
        return rows;
    }

    /** Abandons an insert not finished (the request fails; rows already stored stay, unread); no-op after finish. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        if (failure == null) {
            chunks.clear();
            chunks.offer(ABORT);
        }
        join();
    }

    private void drainTo(OutputStream out) throws IOException {
        while (true) {
            byte[] chunk;
            try {
                chunk = chunks.take();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while streaming rows into " + table, e);
            }
            if (chunk == END) {
                return;
            }
            if (chunk == ABORT) {
                throw new IOException("the insert into " + table + " was abandoned by its writer");
            }
            out.write(chunk);
        }
    }

    private void handOver() {
        try {
            generator.flush();
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot flush a JSON writer in memory", e);
        }
        if (buffer.size() == 0) {
            return;
        }
        byte[] chunk = buffer.toByteArray();
        buffer.reset();
        put(chunk);
    }

    private void put(byte[] chunk) {
        try {
            while (!chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                checkSender();
                if (!sender.isAlive()) {
                    throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot insert into " + table
                            + ": the request ended before its rows were sent");
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot insert into " + table + ": interrupted", e);
        }
    }

    private void join() {
        try {
            sender.join();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot insert into " + table + ": interrupted", e);
        }
    }

    /** {@code yyyy-mm-dd}, as {@link ShopScope#insertRows} writes a date. */
    private String dateText(java.time.LocalDate date) {
        if (!date.equals(lastDate)) {
            lastDate = date;
            lastDateText = (String) ShopScope.jsonValue(table, "date", date);
        }
        return lastDateText;
    }

    /** The same rule as {@link ShopScope#insertRows}: a row may repeat its shop, never name another. */
    private void checkShop(ShopId shop, Object value) {
        if (value == null) {
            return;
        }
        String given = value instanceof ShopId id ? id.domain() : value.toString();
        if (!shop.domain().equals(given)) {
            String cut = given.length() > 80 ? given.substring(0, 80) + "..." : given;
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot insert into " + table + ": row " + rows
                    + " has shop_id '" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "' but it was written for shop '"
                    + shop.domain() + "'");
        }
    }

    private void checkSender() {
        Throwable t = failure;
        if (t instanceof DomainException d) {
            throw d;
        }
        if (t != null) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot insert into " + table + ": " + t, t);
        }
    }

    private void writeValue(Object value) throws IOException {
        if (value == null) {
            generator.writeNull();
        }
        else if (value instanceof String s) {
            generator.writeString(s);
        }
        else if (value instanceof Long n) {
            generator.writeNumber(n);
        }
        else if (value instanceof Integer n) {
            generator.writeNumber(n);
        }
        else if (value instanceof Double n) {
            generator.writeNumber(n);
        }
        else if (value instanceof BigDecimal n) {
            generator.writeNumber(n);
        }
        else if (value instanceof Boolean b) {
            generator.writeBoolean(b);
        }
        else {
            generator.writeObject(value); // lists, maps, other numbers: as the mapper writes them
        }
    }
}
