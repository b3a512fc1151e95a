package com.ecomcrm.api.analytics;

import com.ecomcrm.api.auth.SessionIdentity;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.Segment;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/segments/movement?from=YYYY-MM-DD&to=YYYY-MM-DD}: how the signed-in shop's customers moved between
 * segments from one published nightly snapshot to another. {@code to} defaults to the latest published snapshot,
 * {@code from} to the one before {@code to}.
 *
 * <ul>
 *   <li>Every answer carries {@code publish_id}: the current publication it was read under (null before any
 *       snapshot).</li>
 *   <li>200 {@code READY}: {@code transitions} [{from_segment, to_segment, customers, revenue}], revenue being the
 *       customers' net spend as of {@code to}; segment {@code NONE} = not a customer yet at {@code from} / no longer
 *       one at {@code to}.</li>
 *   <li>200 {@code NOT_COMPUTED} without parameters while fewer than two snapshots are published.</li>
 *   <li>400 naming the parameter: not a YYYY-MM-DD date, or {@code from} not before {@code to}.</li>
 *   <li>404 naming the parameter: no snapshot published for that date (the message lists the published ones).</li>
 * </ul>
 */
public final class SegmentMovementHandler implements Handler<RoutingContext> {
    private final Vertx vertx;
    private final MovementReader reader;

    public SegmentMovementHandler(Vertx vertx, MovementReader reader) {
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
            if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
                throw notBefore(from.get(), to.get());
            }
        }
        catch (DomainException e) {
            ctx.fail(e);
            return;
        }
        // The ClickHouse client blocks; keep it off the event loop.
        vertx.executeBlocking(() -> answer(reader, identity.shop(), from, to), false)
                .onSuccess(ctx::json)
                .onFailure(ctx::fail);
    }

    /** The whole answer for a shop (blocking): resolves the dates against the published snapshots, then reads. */
    static JsonObject answer(MovementReader reader, ShopId shop, Optional<LocalDate> from, Optional<LocalDate> to) {
        PublishedSnapshots published = reader.snapshots(shop);
        List<HistorySlice> snapshots = published.slices();
        List<LocalDate> dates = snapshots.stream().map(HistorySlice::date).toList();
        // The publication every part of the answer belongs to: the dates listed and the slices moved between.
        JsonObject json = new JsonObject().put("shop", shop.domain()).put("publish_id",
                published.publishId().isPresent() ? published.publishId().getAsLong() : null);
        if (from.isEmpty() && to.isEmpty() && snapshots.size() < 2) {
            return json.put("status", "NOT_COMPUTED")
                    .put("message", "Segment movement appears once two nightly runs have been published for this shop.")
                    .put("from", null).put("to", null)
                    .put("available_dates", new JsonArray(dates.stream().map(LocalDate::toString).toList()))
                    .put("transitions", new JsonArray());
        }
        HistorySlice toSlice = to.map(d -> find(snapshots, "to", d))
                .orElseGet(() -> snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1));
        if (toSlice == null) { // only from given, nothing published
            throw new ParameterException(ErrorCode.NOT_FOUND, "from", "Cannot show segment movement: no segment"
                    + " snapshot published for this shop yet; published dates: none yet");
        }
        HistorySlice fromSlice = from.map(d -> find(snapshots, "from", d)).orElseGet(() -> previous(snapshots, toSlice));
        if (!fromSlice.date().isBefore(toSlice.date())) {
            throw notBefore(fromSlice.date(), toSlice.date());
        }
        return toJson(json, reader.movement(shop, fromSlice, toSlice), dates);
    }

    static JsonObject toJson(JsonObject json, SegmentMovement movement, List<LocalDate> dates) {
        JsonArray transitions = new JsonArray();
        long customers = 0;
        long moved = 0;
        for (SegmentMove move : movement.moves()) {
            customers += move.customers();
            if (!move.fromSegment().equals(move.toSegment())) {
                moved += move.customers();
            }
            transitions.add(new JsonObject()
                    .put("from_segment", move.fromSegment())
                    .put("from_name", name(move.fromSegment(), "Not a customer yet"))
                    .put("to_segment", move.toSegment())
                    .put("to_name", name(move.toSegment(), "No longer a customer"))
                    .put("customers", move.customers())
                    // Money as a decimal string, as Shopify's own APIs do.
                    .put("revenue", move.revenue().toPlainString()));
        }
        return json.put("status", "READY")
                .put("from", movement.from().date().toString())
                .put("to", movement.to().date().toString())
                .put("source", movement.precomputed() ? "nightly" : "history")
                .put("available_dates", new JsonArray(dates.stream().map(LocalDate::toString).toList()))
                .put("total_customers", customers)
                .put("moved_customers", moved)
                .put("transitions", transitions);
    }

    private static HistorySlice find(List<HistorySlice> snapshots, String parameter, LocalDate date) {
        return snapshots.stream().filter(s -> s.date().equals(date)).findFirst()
                .orElseThrow(() -> new ParameterException(ErrorCode.NOT_FOUND, parameter, "Cannot show segment"
                        + " movement: no segment snapshot published for " + parameter + "=" + date
                        + "; published dates: "
                        + DateParameters.describe(snapshots.stream().map(HistorySlice::date).toList())));
    }

    private static HistorySlice previous(List<HistorySlice> snapshots, HistorySlice to) {
        HistorySlice before = null;
        for (HistorySlice s : snapshots) {
            if (s.date().isBefore(to.date())) {
                before = s;
            }
        }
        if (before == null) {
            throw new ParameterException(ErrorCode.NOT_FOUND, "from", "Cannot show segment movement: no segment"
                    + " snapshot published before " + to.date() + "; published dates: "
                    + DateParameters.describe(snapshots.stream().map(HistorySlice::date).toList()));
        }
        return before;
    }

    private static ParameterException notBefore(LocalDate from, LocalDate to) {
        return new ParameterException(ErrorCode.INVALID_INPUT, "from", "Cannot show segment movement: from ("
                + from + ") must be before to (" + to + ")");
    }

    private static String name(String key, String none) {
        return SegmentMove.NONE.equals(key) ? none : Segment.fromKey(key).displayName();
    }
}
