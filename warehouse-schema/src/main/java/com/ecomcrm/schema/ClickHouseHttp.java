package com.ecomcrm.schema;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The migrator's own minimal client for ClickHouse's plain HTTP interface (works on 18.16 and current releases):
 * each statement is POSTed as the request body. Not tenant-scoped, so it stays package-private: application reads
 * and writes go through {@code clickhouse-gateway}.
 */
final class ClickHouseHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    private final ClickHouseTarget target;
    private final HttpClient client;

    ClickHouseHttp(ClickHouseTarget target) {
        this.target = requireNonNull(target, "target is null");
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    ClickHouseTarget target() {
        return target;
    }

    /** Runs a statement in the target database. */
    void execute(String sql) {
        post(sql, true);
    }

    /** Runs a statement without selecting a database (CREATE / DROP DATABASE). */
    void executeOnServer(String sql) {
        post(sql, false);
    }

    /** Runs a read in the target database; {@code FORMAT JSONEachRow} is appended, one JSON object per row. */
    List<JsonNode> query(String select) {
        String body = post(select + "\nFORMAT JSONEachRow", true);
        List<JsonNode> rows = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                rows.add(JSON.readTree(line));
            }
            catch (IOException e) {
                throw new MigrationException(ErrorCode.INTERNAL,
                        "ClickHouse returned a row that is not JSON: " + abbreviate(line), e);
            }
        }
        return rows;
    }

    /** A ClickHouse string literal: single-quoted, with backslash and single quote escaped. */
    static String literal(String value) {
        requireNonNull(value, "value is null");
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\'') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('\'').toString();
    }

    private String post(String sql, boolean inDatabase) {
        String uri = target.url() + "/"
                + (inDatabase ? "?database=" + URLEncoder.encode(target.database(), StandardCharsets.UTF_8) : "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8));
        String credentials = target.user() + ":" + target.password();
        request.header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new MigrationException(ErrorCode.UNAVAILABLE,
                    "Cannot reach ClickHouse at " + target.url() + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException(ErrorCode.UNAVAILABLE, "Interrupted while calling ClickHouse", e);
        }
        if (response.statusCode() != 200) {
            throw new MigrationException(ErrorCode.INTERNAL, "ClickHouse at " + target.url() + " answered HTTP "
                    + response.statusCode() + " to [" + abbreviate(sql) + "]: " + response.body().strip());
        }
        return response.body();
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }
}
