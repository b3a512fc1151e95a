package com.ecomcrm.api.customers;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.Segment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.List;

/**
 * The JSON shape of a customer. Ids are strings (64-bit numbers lose digits in JavaScript); money is a decimal
 * string, as Shopify's own APIs send it.
 */
final class CustomerJson {
    private CustomerJson() {
    }

    static JsonObject customer(CustomerRow row) {
        JsonObject json = new JsonObject()
                .put("customer_id", Long.toString(row.customerId()))
                .put("segment", row.segment())
                .put("segment_name", segmentName(row.segment()))
                .put("recency_days", row.recencyDays().isPresent() ? row.recencyDays().getAsInt() : null)
                .put("frequency", row.frequency())
                .put("monetary", money(row.monetaryCents()))
                .put("r_score", row.rScore())
                .put("f_score", row.fScore())
                .put("m_score", row.mScore())
                .put("prediction_status", row.predictionStatus().orElse(null));
        if (row.predictions().isEmpty()) {
            return json.put("predictions", null);
        }
        CustomerPredictions p = row.predictions().get();
        return json.put("predictions", new JsonObject()
                .put("expected_orders_30d", p.expectedOrders30d())
                .put("expected_orders_90d", p.expectedOrders90d())
                .put("expected_orders_365d", p.expectedOrders365d())
                .put("probability_alive", p.probabilityAlive())
                .put("expected_order_value", money(p.expectedOrderValueCents()))
                .put("clv_12m", new JsonObject()
                        .put("value", money(p.clv12mCents()))
                        .put("low", money(p.clvLowCents()))
                        .put("high", money(p.clvHighCents())))
                .put("churn_risk", p.churnRisk())
                .put("next_order_date", p.nextOrderDate().map(Object::toString).orElse(null)));
    }

    static JsonArray history(List<RfmHistoryPoint> points) {
        JsonArray history = new JsonArray();
        for (RfmHistoryPoint point : points) {
            history.add(new JsonObject()
                    .put("date", point.date().toString())
                    .put("segment", point.segment())
                    .put("segment_name", segmentName(point.segment()))
                    .put("monetary", money(point.monetaryCents())));
        }
        return history;
    }

    static String money(long cents) {
        if (cents == Long.MIN_VALUE) {
            return BigDecimal.valueOf(cents, 2).toPlainString(); // no positive counterpart to split into digits
        }
        // BigDecimal.valueOf(cents, 2).toPlainString() written out by hand: several columns of every exported row,
        // and the BigDecimal took a tenth of an export's CPU.
        long whole = Math.abs(cents) / 100;
        int fraction = (int) (Math.abs(cents) % 100);
        StringBuilder text = new StringBuilder(24);
        if (cents < 0) {
            text.append('-');
        }
        return text.append(whole).append('.').append((char) ('0' + fraction / 10)).append((char) ('0' + fraction % 10))
                .toString();
    }

    /** The merchant-facing name; a key this build does not know is shown as it is rather than failing the page. */
    static String segmentName(String key) {
        try {
            return Segment.fromKey(key).displayName();
        }
        catch (DomainException e) {
            return key;
        }
    }
}
