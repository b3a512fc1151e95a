package com.ecomcrm.api.performance;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Summed email counts of some rows (a day, a flow, a template, a range), with the rates recomputed from the sums:
 * {@code openRate = uniqueOpens / delivered}, {@code clickRate = uniqueClicks / delivered}, half-up to 4 decimals, 0
 * without deliveries. Machine opens are reported beside the human ones and never enter a rate.
 */
record EmailMetrics(long sent, long delivered, long bounced, long uniqueOpens, long machineOpens, long uniqueClicks,
                    long unsubscribes, long orders, long revenueCents) {
    static final EmailMetrics ZERO = new EmailMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0);

    EmailMetrics plus(EmailMetrics o) {
        return new EmailMetrics(sent + o.sent, delivered + o.delivered, bounced + o.bounced,
                uniqueOpens + o.uniqueOpens, machineOpens + o.machineOpens, uniqueClicks + o.uniqueClicks,
                unsubscribes + o.unsubscribes, orders + o.orders, revenueCents + o.revenueCents);
    }

    double openRate() {
        return rate(uniqueOpens);
    }

    double clickRate() {
        return rate(uniqueClicks);
    }

    private double rate(long count) {
        return delivered == 0 ? 0.0
                : BigDecimal.valueOf(count).divide(BigDecimal.valueOf(delivered), 4, RoundingMode.HALF_UP)
                .doubleValue();
    }

    /** Adds the metrics to {@code json} under the contract's names. */
    JsonObject into(JsonObject json) {
        return json.put("sent", sent)
                .put("delivered", delivered)
                .put("bounced", bounced)
                .put("uniqueOpens", uniqueOpens)
                .put("machineOpens", machineOpens)
                .put("uniqueClicks", uniqueClicks)
                .put("unsubscribes", unsubscribes)
                .put("orders", orders)
                .put("revenueCents", revenueCents)
                .put("openRate", openRate())
                .put("clickRate", clickRate());
    }
}
