package com.ecomcrm.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.command.CommandSettings;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * ClickHouse over HTTP with client-v2, restricted to what ClickHouse 18.16 (tests) and current releases (production)
 * both understand: no compression (18.16's HTTP compression handshake differs from what the client expects), no
 * server-side parameters, responses read as raw JSONEachRow text instead of the client's binary readers, which
 * need RowBinaryWithNamesAndTypes features 18.16 lacks.
 */
final class ClientV2Transport implements ClickHouseTransport {
    private static final Logger LOG = LoggerFactory.getLogger(ClientV2Transport.class);
    /** Generous, but a hung server must end in an error, not a thread stuck forever. */
    private static final long OPERATION_TIMEOUT_SECONDS = 300;
    /**
     * Open HTTP connections to ClickHouse. The client's default (10) is below the API's 20 worker threads, so with 20
     * dashboards loading at once queries queued for a connection; a streamed export also holds one for its whole
     * transfer.
     */
    static final int MAX_CONNECTIONS = 40;

    private final Client client;
    private final ClickHouseSettings settings;
    private final ObjectMapper json;

    ClientV2Transport(ClickHouseSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
        try {
            this.client = new Client.Builder()
                    .addEndpoint(settings.url())
                    .setUsername(settings.user())
                    .setPassword(settings.password())
                    .setDefaultDatabase(settings.database())
                    // client-v2 names the database in the X-ClickHouse-Database header, which 18.16 ignores; the
                    // `database` URL parameter is understood by every version.
                    .serverSetting("database", settings.database())
                    .compressServerResponse(false)
                    .compressClientRequest(false)
                    .useHttpCompression(false)
                    .setConnectTimeout(10, ChronoUnit.SECONDS)
                    .setSocketTimeout(OPERATION_TIMEOUT_SECONDS, ChronoUnit.SECONDS)
                    .setClientName("ecomcrm-clickhouse-gateway")
                    .setMaxConnections(MAX_CONNECTIONS)
                    .build();
        } catch (RuntimeException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE,
                    "Cannot reach ClickHouse at " + settings.url() + ": " + describe(e), e);
        }
    }

    @Override
    public List<JsonNode> queryJsonEachRow(String sql) {
        QuerySettings querySettings = new QuerySettings()
                .setFormat(ClickHouseFormat.JSONEachRow)
                // Buffer the result on the server so an error half-way surfaces as an HTTP error status instead
                // of an error text appended to rows already sent.
                .waitEndOfQuery(true)
                // 64-bit integers as JSON numbers (both versions quote them by default): cents and ids then read
                // the same way as every other number.
                .serverSetting("output_format_json_quote_64bit_integers", "0");
        try (QueryResponse response = await(client.query(sql, querySettings))) {
            return readLines(response.getInputStream());
        } catch (DomainException e) {
            throw e;
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public long streamJsonEachRow(String sql, Consumer<JsonNode> rows) {
        return stream(sql, ClickHouseFormat.JSONEachRow, line -> {
            JsonNode row;
            try {
                row = json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new DomainException(ErrorCode.INTERNAL, "ClickHouse failed while sending rows: " + brief(line), e);
            }
            rows.accept(row);
        });
    }

    @Override
    public long streamTabSeparated(String sql, int columns, Consumer<String[]> rows) {
        return stream(sql, ClickHouseFormat.TabSeparated, line -> rows.accept(TabSeparatedLine.cells(line, columns)));
    }

    /** Hands each non-blank line of the response to {@code lines} as it is read; see {@link #streamJsonEachRow}. */
    private long stream(String sql, ClickHouseFormat format, Consumer<String> lines) {
        String queryId = UUID.randomUUID().toString();
        QuerySettings querySettings = new QuerySettings()
                .setFormat(format)
                .setQueryId(queryId)
                // No wait_end_of_query: rows leave the server as they are produced, so neither side holds the whole
                // result. An error half-way then arrives as text after the rows, which the line parser reports.
                .serverSetting("output_format_json_quote_64bit_integers", "0");
        QueryResponse response;
        try {
            response = await(client.query(sql, querySettings));
        } catch (Exception e) {
            throw translate(e);
        }
        boolean readToTheEnd = false;
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(response.getInputStream(),
                    StandardCharsets.UTF_8), 64 * 1024);
            long count = 0;
            String line;
            // A TabSeparated row of empty cells is only tabs: blank, but a row.
            boolean json = format == ClickHouseFormat.JSONEachRow;
            while ((line = reader.readLine()) != null) {
                if (json ? line.isBlank() : line.isEmpty()) {
                    continue;
                }
                lines.accept(line);
                count++;
            }
            readToTheEnd = true;
            return count;
        } catch (IOException e) {
            throw translate(e);
        } finally {
            if (!readToTheEnd) {
                // Closing the response reads the rest of the body to keep the connection: stop the query first, so
                // the rest is what the server had already sent, not the remainder of the result.
                kill(queryId);
            }
            try {
                response.close();
            } catch (Exception e) {
                LOG.debug("closing a streamed response failed: {}", describe(e));
            }
        }
    }

    /** Asks the server to stop a query of ours (a read stopped half-way); a query already ended is not an error. */
    private void kill(String queryId) {
        try (var ignored = await(client.execute("KILL QUERY WHERE query_id = " + SqlLiterals.string(queryId)
                + " ASYNC", new CommandSettings()))) {
            LOG.debug("stopped query {}", queryId);
        } catch (Exception e) {
            LOG.warn("could not stop query {} after its read was stopped: {}", queryId, describe(e));
        }
    }

    @Override
    public void execute(String sql) {
        try (var response = await(client.execute(sql, new CommandSettings()))) {
            LOG.debug("executed in {} ms", response.getServerTime());
        } catch (DomainException e) {
            throw e;
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public void insertJsonEachRow(String table, List<String> columns, byte[] body) {
        InsertSettings insertSettings = new InsertSettings()
                .compressClientRequest(false)
                .useHttpCompression(false);
        try (var response = await(client.insert(table, columns, new ByteArrayInputStream(body),
                ClickHouseFormat.JSONEachRow, insertSettings))) {
            LOG.debug("inserted {} rows into {}", response.getWrittenRows(), table);
        } catch (DomainException e) {
            throw e;
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public void insertJsonEachRow(String table, List<String> columns, StreamedInsert.Body body) {
        InsertSettings insertSettings = new InsertSettings()
                .compressClientRequest(false)
                .useHttpCompression(false);
        com.clickhouse.client.api.DataStreamWriter writer = new com.clickhouse.client.api.DataStreamWriter() {
            @Override
            public void onOutput(java.io.OutputStream out) throws IOException {
                body.writeTo(out);
            }

            @Override
            public void onRetry() throws IOException {
                // The rows already sent cannot be sent again: a retry would store only the rest.
                throw new IOException("a streamed insert into " + table + " cannot be retried");
            }
        };
        try (var response = await(client.insert(table, columns, writer, ClickHouseFormat.JSONEachRow,
                insertSettings))) {
            LOG.debug("streamed {} rows into {}", response.getWrittenRows(), table);
        } catch (DomainException e) {
            throw e;
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public boolean ping() {
        try {
            return client.ping();
        } catch (RuntimeException e) {
            LOG.debug("ping {} failed: {}", settings.url(), describe(e));
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private List<JsonNode> readLines(InputStream in) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(json.readTree(line));
                } catch (JsonProcessingException e) {
                    // Without wait_end_of_query (or past its buffer) ClickHouse reports a late error as plain text
                    // after the rows it already sent: that text is the server's message.
                    throw new DomainException(ErrorCode.INTERNAL, "ClickHouse failed while sending rows: " + brief(line), e);
                }
            }
        }
        return rows;
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.get(OPERATION_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    /** Server said no -> INTERNAL with its message; anything on the way there -> UNAVAILABLE. */
    private DomainException translate(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ServerException server) {
                return new DomainException(ErrorCode.INTERNAL,
                        "ClickHouse rejected the statement (code " + server.getCode() + "): " + brief(server.getMessage()), e);
            }
        }
        if (t instanceof TimeoutException) {
            return new DomainException(ErrorCode.UNAVAILABLE,
                    "Cannot reach ClickHouse at " + settings.url() + ": no answer within " + OPERATION_TIMEOUT_SECONDS + " s", e);
        }
        if (t instanceof InterruptedException) {
            return new DomainException(ErrorCode.UNAVAILABLE,
                    "Cannot reach ClickHouse at " + settings.url() + ": interrupted while waiting", e);
        }
        return new DomainException(ErrorCode.UNAVAILABLE, "Cannot reach ClickHouse at " + settings.url() + ": " + describe(t), e);
    }

    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = e; c != null && out.length() < 400; c = c.getCause()) {
            if (!out.isEmpty()) {
                out.append(" <- ");
            }
            out.append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                out.append(": ").append(c.getMessage());
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return brief(out.toString());
    }

    private static String brief(String text) {
        if (text == null) {
            return "(no message)";
        }
        String s = text.strip();
        return s.length() > 1000 ? s.substring(0, 1000) + "..." : s;
    }
}
