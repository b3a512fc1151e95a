package com.ecomcrm.api.plans;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.billing.BillingStore;
import com.ecomcrm.domain.PlanFeature;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The one place the API checks the shop's plan: route handlers placed before the route's own handler (ApiServer).
 * {@link #require} refuses a route the plan does not include with 403 {@code PLAN_REQUIRED}; {@link #load} lets the
 * route run and leaves the shop's {@link PlanAccess} in the routing context, where a handler that leaves out part of
 * its answer (predictions) reads it with {@link #access}.
 *
 * <p>The plan is read from {@code shops.plan} on every request, never cached: an upgrade approved a second ago
 * applies to the next request, a downgrade too. It is the session token's shop's plan only: another shop's plan can
 * never apply. Nothing is deleted on a downgrade; what the plan lacks is refused or left out until it is back.
 */
public final class PlanGate {
    private static final String KEY = PlanAccess.class.getName();

    private final BillingStore billing;

    public PlanGate(BillingStore billing) {
        this.billing = requireNonNull(billing, "billing is null");
    }

    /** Lets the route run only when the shop's plan includes {@code feature}. */
    public Handler<RoutingContext> require(PlanFeature feature) {
        requireNonNull(feature, "feature is null");
        return ctx -> read(ctx, access -> {
            access.require(feature);
            ctx.next();
        });
    }

    /**
     * Lets the route run unless one of {@code parameters} is in the query string with a value the plan does not
     * include: a customer-list filter or sort on predictions, for example ({@link PredictionParameters}).
     */
    public Handler<RoutingContext> requireForParameters(PlanFeature feature, List<GatedParameter> parameters) {
        requireNonNull(feature, "feature is null");
        List<GatedParameter> gated = List.copyOf(parameters);
        return ctx -> read(ctx, access -> {
            if (!access.allows(feature)) {
                for (GatedParameter parameter : gated) {
                    if (parameter.asksFor(ctx.queryParams().getAll(parameter.name()))) {
                        access.require(feature, parameter.name());
                    }
                }
            }
            ctx.next();
        });
    }

    /** Lets the route run with the shop's {@link PlanAccess} in the context (see {@link #access}). */
    public Handler<RoutingContext> load() {
        return ctx -> read(ctx, access -> ctx.next());
    }

    /**
     * The plan access {@link #load}, {@link #require} or {@link #requireForParameters} left for this request; empty
     * when no gate ran (a handler mounted on its own in a test).
     */
    public static Optional<PlanAccess> access(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(KEY));
    }

    private void read(RoutingContext ctx, java.util.function.Consumer<PlanAccess> then) {
        PlanAccess known = ctx.get(KEY);
        if (known != null) {
            run(ctx, known, then);
            return;
        }
        billing.shop(SessionTokenHandler.identity(ctx).shop())
                .onSuccess(shopPlan -> {
                    PlanAccess access = new PlanAccess(shopPlan.plan());
                    ctx.put(KEY, access);
                    run(ctx, access, then);
                })
                .onFailure(ctx::fail);
    }

    private static void run(RoutingContext ctx, PlanAccess access, java.util.function.Consumer<PlanAccess> then) {
        try {
            then.accept(access);
        }
        catch (RuntimeException e) {
            ctx.fail(e);
        }
    }

    /** A query parameter that needs the feature for some (or every non-empty) value. */
    public record GatedParameter(String name, List<String> gatedValues) {
        public GatedParameter {
            requireNonNull(name, "name is null");
            gatedValues = List.copyOf(gatedValues);
        }

        /** Any non-empty value needs the feature. */
        public static GatedParameter anyValue(String name) {
            return new GatedParameter(name, List.of());
        }

        boolean asksFor(List<String> values) {
            return values.stream().map(String::strip).filter(v -> !v.isEmpty())
                    .anyMatch(v -> gatedValues.isEmpty() || gatedValues.stream().anyMatch(v::equalsIgnoreCase));
        }
    }
}
