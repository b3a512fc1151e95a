package com.ecomcrm.api.insights;

import com.ecomcrm.api.auth.SessionIdentity;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.api.plans.PlanAnswers;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The insights routes, for the signed-in shop only:
 * <ul>
 *   <li>{@code GET /api/insights}: {@code {"publish_id", "insights": [{"id", "kind", "severity", "rank", "title",
 *       "body", "numbers": {}, "action": {"label", "path"}, "state"}]}}, the current publication's findings by rank
 *       (read in one query with the publication's id, null before the first run), each with
 *       the merchant's state (NEW, DISMISSED or DONE); an empty list before the first nightly run or on a quiet
 *       night;</li>
 *   <li>{@code POST /api/insights/{id}/dismiss} and {@code POST /api/insights/{id}/done}: record the state and answer
 *       the insight with it. 404 when the id is not one of this shop's current insights (another shop's id included,
 *       so nothing tells one shop what another has); 400 for an id that cannot be an insight id.</li>
 * </ul>
 */
public final class InsightHandlers {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{1,64}");

    private final Vertx vertx;
    private final InsightReader reader;
    private final InsightStates states;

    public InsightHandlers(Vertx vertx, InsightReader reader, InsightStates states) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.reader = requireNonNull(reader, "reader is null");
        this.states = requireNonNull(states, "states is null");
    }

    public Handler<RoutingContext> list() {
        return ctx -> {
            ShopId shop = SessionTokenHandler.identity(ctx).shop();
            read(shop).compose(published -> states.of(shop).map(recorded -> {
                JsonArray out = new JsonArray();
                published.insights().forEach(i -> out.add(i.toJson(recorded.getOrDefault(i.id(), InsightStates.NEW))));
                // The publication the list was read from (null before the first nightly run).
                JsonObject answer = new JsonObject().put("insights", out).put("publish_id",
                        published.publishId().isPresent() ? published.publishId().getAsLong() : null);
                // On a plan without predictions, the findings made of them are left out (PlanAnswers).
                return PlanAnswers.insights(ctx, answer);
            })).onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    public Handler<RoutingContext> dismiss() {
        return mark(InsightStates.DISMISSED);
    }

    public Handler<RoutingContext> done() {
        return mark(InsightStates.DONE);
    }

    private Handler<RoutingContext> mark(String state) {
        return ctx -> {
            SessionIdentity identity = SessionTokenHandler.identity(ctx);
            String id = ctx.pathParam("id");
            if (id == null || !ID.matcher(id).matches()) {
                ctx.fail(new ParameterException(ErrorCode.INVALID_INPUT, "id", "Cannot update insight: '"
                        + (id == null ? "" : id.replaceAll("[^\\x20-\\x7e]", "?")) + "' is not an insight id"));
                return;
            }
            read(identity.shop()).compose(published -> {
                PublishedInsight insight = published.insights().stream().filter(i -> i.id().equals(id)).findFirst()
                        .orElseThrow(() -> new DomainException(ErrorCode.NOT_FOUND, "Cannot update insight " + id
                                + ": it is not one of this shop's current insights"));
                return states.record(identity.shop(), id, state).map(done -> insight.toJson(state));
            }).onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    private Future<PublishedInsights> read(ShopId shop) {
        return vertx.executeBlocking(() -> reader.insights(shop), false);
    }
}
