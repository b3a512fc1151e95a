package com.ecomcrm.api.performance;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.api.auth.SessionIdentity;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/email-performance?from=YYYY-MM-DD&to=YYYY-MM-DD}: the signed-in shop's email results for the
 * emails sent from {@code from} to {@code to} inclusive, from its current publication:
 * {@code {"publish_id", "as_of_date", "totals": {...}, "series": [{"date", ...}], "flows": [{"flowId", "flowKind", ...}],
 * "templates": [{"templateId", ...}]}} ({@code publish_id}: the publication every part was read from, null before the
 * first nightly run), every entry with the same metrics ({@link EmailMetrics}). The series has
 * every day of the range (zeros on days without email); flows and templates are by id. {@code to} defaults to the
 * publication's date (today before the first run), {@code from} to 29 days before {@code to}. 400 naming the parameter
 * for a malformed date, {@code from} after {@code to}, or more than {@value #MAX_DAYS} days.
 */
public final class EmailPerformanceHandler implements Handler<RoutingContext> {
    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 3660;

    private final Vertx vertx;
    private final EmailPerformanceReader reader;
    private final java.time.Clock clock;

    public EmailPerformanceHandler(Vertx vertx, EmailPerformanceReader reader, java.time.Clock clock) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.reader = requireNonNull(reader, "reader is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        SessionIdentity identity = SessionTokenHandler.identity(ctx);
        Optional<LocalDate> from;
        Optional<LocalDate> to;
        try {
            from = date("from", ctx.request().getParam("from"));
            to = date("to", ctx.request().getParam("to"));
            if (from.isPresent() && to.isPresent()) {
                checkRange(from.get(), to.get());
            }
        }
        catch (DomainException e) {
            ctx.fail(e);
            return;
        }
        vertx.executeBlocking(() -> answer(identity.shop(), from, to), false)
                .onSuccess(ctx::json)
                .onFailure(ctx::fail);
    }

    /**
     * The whole answer (blocking), of one publication: one query when the range has rows; else the publication, then
     * its rows (none, usually), so the range and the rows never come from two publications.
     */
    JsonObject answer(ShopId shop, Optional<LocalDate> from, Optional<LocalDate> to) {
        Optional<PerformanceRead> current = reader.currentRows(shop, from, to);
        if (current.isPresent()) {
            PerformanceRead read = current.get();
            checkRange(read.from(), read.to());
            return withPublication(toJson(read.from(), read.to(), read.rows()), Optional.of(read.publication()));
        }
        Optional<Publication> publication = reader.publication(shop);
        LocalDate last = to.orElseGet(() -> publication.map(Publication::asOfDate).orElse(LocalDate.now(clock)));
        LocalDate first = from.orElse(last.minusDays(DEFAULT_DAYS - 1));
        checkRange(first, last);
        List<EmailPerformanceRow> rows = publication.isPresent()
                ? reader.rows(shop, publication.get(), first, last) : List.of();
        return withPublication(toJson(first, last, rows), publication);
    }

    /** The publication the answer was read from: {@code publish_id} and {@code as_of_date}, null before the first run. */
    private static JsonObject withPublication(JsonObject json, Optional<Publication> publication) {
        return json.put("publish_id", publication.map(Publication::publishId).orElse(null))
                .put("as_of_date", publication.map(p -> p.asOfDate().toString()).orElse(null));
    }

    static JsonObject toJson(LocalDate from, LocalDate to, List<EmailPerformanceRow> rows) {
        EmailMetrics totals = EmailMetrics.ZERO;
        Map<LocalDate, EmailMetrics> days = new TreeMap<>();
        Map<Long, EmailMetrics> flows = new TreeMap<>();
        Map<Long, String> flowKinds = new TreeMap<>();
        Map<Long, EmailMetrics> templates = new TreeMap<>();
        for (EmailPerformanceRow row : rows) {
            totals = totals.plus(row.metrics());
            days.merge(row.sendDate(), row.metrics(), EmailMetrics::plus);
            flows.merge(row.flowId(), row.metrics(), EmailMetrics::plus);
            flowKinds.put(row.flowId(), row.flowKind());
            templates.merge(row.templateId(), row.metrics(), EmailMetrics::plus);
        }
        JsonArray series = new JsonArray();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            series.add(days.getOrDefault(day, EmailMetrics.ZERO).into(new JsonObject().put("date", day.toString())));
        }
        JsonArray flowList = new JsonArray();
        flows.forEach((id, metrics) -> flowList.add(metrics.into(new JsonObject().put("flowId", id)
                .put("flowKind", flowKinds.get(id)))));
        JsonArray templateList = new JsonArray();
        templates.forEach((id, metrics) -> templateList.add(metrics.into(new JsonObject().put("templateId", id))));
        return new JsonObject()
                .put("from", from.toString())
                .put("to", to.toString())
                .put("totals", totals.into(new JsonObject()))
                .put("series", series)
                .put("flows", flowList)
                .put("templates", templateList);
    }

    private static Optional<LocalDate> date(String name, String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value, DateTimeFormatter.ISO_LOCAL_DATE));
        }
        catch (DateTimeParseException e) {
            String shown = (value.length() > 40 ? value.substring(0, 40) + "..." : value)
                    .replaceAll("[^\\x20-\\x7e]", "?");
            throw new ParameterException(ErrorCode.INVALID_INPUT, name, "Cannot read parameter '" + name + "': '"
                    + shown + "' is not a date in the form YYYY-MM-DD");
        }
    }

    private static void checkRange(LocalDate from, LocalDate to) {
        if (from.isAfter(to)) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "from", "Cannot show email performance: from ("
                    + from + ") is after to (" + to + ")");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "from", "Cannot show email performance for more"
                    + " than " + MAX_DAYS + " days at once: from " + from + " to " + to);
        }
    }
}
