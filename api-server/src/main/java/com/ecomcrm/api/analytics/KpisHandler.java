package com.ecomcrm.api.analytics;

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

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD}: the signed-in shop's daily KPIs from its current publication,
 * one entry per day from {@code from} to {@code to} inclusive (days before the shop's first order are absent), and
 * totals over the range. {@code to} defaults to the publication's date, {@code from} to 29 days before {@code to}.
 * 400 naming the parameter for a malformed date, {@code from} after {@code to}, or a range over
 * {@value #MAX_DAYS} days; 200 {@code NOT_COMPUTED} before the shop's first nightly run.
 */
public final class KpisHandler implements Handler<RoutingContext> {
    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 3660;

    private final Vertx vertx;
    private final KpiReader reader;

    public KpisHandler(Vertx vertx, KpiReader reader) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.reader = requireNonNull(reader, "reader is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        SessionIdentity identity = SessionTokenHandler.identity(ctx);
        Optional<LocalDate> from;
        Optional<LocalDate> to;
        try {
            from = DateParameters.optional(ctx, "from");
            to = DateParameters.optional(ctx, "to");
            if (from.isPresent() && to.isPresent()) {
                checkRange(from.get(), to.get());
            }
        }
        catch (DomainException e) {
            ctx.fail(e);
            return;
        }
        vertx.executeBlocking(() -> answer(reader, identity.shop(), from, to), false)
                .onSuccess(ctx::json)
                .onFailure(ctx::fail);
    }

    /** The whole answer for a shop (blocking). */
    static JsonObject answer(KpiReader reader, ShopId shop, Optional<LocalDate> from, Optional<LocalDate> to) {
        JsonObject json = new JsonObject().put("shop", shop.domain());
        // One round trip when the range has days; else the publication, then its days, as before.
        Optional<KpiDays> current = reader.currentDays(shop, from, to);
        if (current.isPresent()) {
            checkRange(current.get().from(), current.get().to());
            return toJson(json, current.get().publication(), current.get().from(), current.get().to(),
                    current.get().days());
        }
        Optional<Publication> publication = reader.publication(shop);
        if (publication.isEmpty()) {
            return json.put("status", "NOT_COMPUTED")
                    .put("message", "Shop KPIs appear after the first nightly run has finished for this shop.")
                    .put("as_of_date", null)
                    .put("days", new JsonArray());
        }
        LocalDate last = to.orElse(publication.get().asOfDate());
        LocalDate first = from.orElse(last.minusDays(DEFAULT_DAYS - 1));
        checkRange(first, last);
        return toJson(json, publication.get(), first, last, reader.days(shop, publication.get(), first, last));
    }

    static JsonObject toJson(JsonObject json, Publication publication, LocalDate from, LocalDate to,
                             List<DailyKpis> days) {
        JsonArray series = new JsonArray();
        long orders = 0;
        long newOrders = 0;
        long returningOrders = 0;
        BigDecimal revenue = BigDecimal.ZERO.setScale(2);
        for (DailyKpis day : days) {
            orders += day.orders();
            newOrders += day.newCustomerOrders();
            returningOrders += day.returningCustomerOrders();
            revenue = revenue.add(day.revenue());
            series.add(new JsonObject()
                    .put("date", day.date().toString())
                    .put("orders", day.orders())
                    .put("revenue", day.revenue().toPlainString())
                    .put("aov", day.aov().toPlainString())
                    .put("new_customer_orders", day.newCustomerOrders())
                    .put("returning_customer_orders", day.returningCustomerOrders())
                    .put("buyers", day.buyers())
                    .put("customers", day.customers())
                    .put("repeat_customers", day.repeatCustomers())
                    .put("repeat_rate", day.repeatRate()));
        }
        BigDecimal aov = orders == 0 ? BigDecimal.ZERO.setScale(2)
                : revenue.divide(BigDecimal.valueOf(orders), 2, RoundingMode.HALF_UP);
        JsonObject totals = new JsonObject()
                .put("orders", orders)
                .put("revenue", revenue.toPlainString())
                .put("aov", aov.toPlainString())
                .put("new_customer_orders", newOrders)
                .put("returning_customer_orders", returningOrders);
        if (!days.isEmpty()) { // cumulative figures: as of the last day shown
            DailyKpis lastDay = days.get(days.size() - 1);
            totals.put("customers", lastDay.customers())
                    .put("repeat_customers", lastDay.repeatCustomers())
                    .put("repeat_rate", lastDay.repeatRate());
        }
        return json.put("status", "READY")
                .put("as_of_date", publication.asOfDate().toString())
                .put("publish_id", publication.publishId())
                .put("from", from.toString())
                .put("to", to.toString())
                .put("totals", totals)
                .put("days", series);
    }

    private static void checkRange(LocalDate from, LocalDate to) {
        if (from.isAfter(to)) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "from", "Cannot show KPIs: from (" + from
                    + ") is after to (" + to + ")");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "from", "Cannot show KPIs for more than "
                    + MAX_DAYS + " days at once: from " + from + " to " + to);
        }
    }
}
