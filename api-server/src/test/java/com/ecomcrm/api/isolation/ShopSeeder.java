package com.ecomcrm.api.isolation;

import com.ecomcrm.clickhouse.ShopScope;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.session.SessionTokens;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Fills every store the API reads with one shop's data: a real publication in ClickHouse (customers, predictions,
 * segments, history, movement, KPIs, email performance, insights) and PostgreSQL (templates and flows through the
 * API itself, settings, sender domain, consent, sends with merge data, email events, a subscription, sync progress,
 * a compliance export with its file). Every shop uses the same publish id and the same shared customer and insight
 * ids, so a query that forgets the shop finds other shops' rows.
 */
final class ShopSeeder {
    static final long PUBLISH_ID = 500;
    static final LocalDate D27 = LocalDate.of(2026, 11, 27);
    static final LocalDate D28 = LocalDate.of(2026, 11, 28);

    private final IsolationServer server;
    private final SessionTokens tokens;
    private final Path exportRoot;

    ShopSeeder(IsolationServer server, Path exportRoot) {
        this.server = requireNonNull(server, "server is null");
        this.exportRoot = requireNonNull(exportRoot, "exportRoot is null");
        this.tokens = new SessionTokens(IsolationServer.CLIENT_ID, IsolationServer.SECRET, Clock.systemUTC());
    }

    SeededShop seed(ShopId shop, String marker, int index) {
        long unique = 7_310_000_000L + index * 1_000_003L;
        String insightId = String.format("%020x", 0xabc0000L + index * 7919L);
        // On Pro, so every route's own answer is reachable (features per plan: PlanGateApiTest).
        server.sql("INSERT INTO shops (shop_domain, email, installed_at, scopes, name, currency, plan) "
                        + "VALUES ($1, $2, now(), $3, $4, 'EUR', 'pro')", shop.domain(), "owner-" + marker + "@example.com",
                "read_customers,read_orders", "Shop " + marker);

        String templateName = "Tpl " + marker;
        JsonObject template = api(shop, "POST", "/api/templates", new JsonObject().put("name", templateName)
                .put("subject", "Hello ${customer.first_name} " + marker)
                .put("bodyHtml", "<p>Body " + marker + " for ${customer.first_name}</p>"), 201);
        long templateId = template.getLong("id");
        api(shop, "PUT", "/api/templates/" + templateId, new JsonObject()
                .put("subject", "Hello again " + marker).put("bodyHtml", "<p>Body v2 " + marker + "</p>"), 200);
        long flowId = api(shop, "GET", "/api/flows", null, 200).getJsonArray("flows").stream()
                .map(JsonObject.class::cast).filter(f -> "welcome".equals(f.getString("kind"))).findFirst()
                .orElseThrow().getLong("id");
        api(shop, "PATCH", "/api/flows/" + flowId, new JsonObject().put("templateId", templateId), 200);
        api(shop, "PUT", "/api/settings", new JsonObject()
                .put("timezone", "UTC")
                .put("quietHours", new JsonObject().put("enabled", true).put("start", "21:00").put("end", "08:00"))
                .put("attribution", new JsonObject().put("clickDays", 5).put("openDays", 5))
                .put("fromName", "From " + marker)
                .put("replyTo", "reply-" + marker + "@example.com"), 200);
        api(shop, "PUT", "/api/sender-domain", new JsonObject().put("domain", "mail-" + marker + ".example"), 200);

        long revenueCents = 864_200_000L + index * 101_000L;
        SeededShop seeded = new SeededShop(shop, marker, unique, revenueCents, templateId, templateName, flowId,
                compliance(shop, marker), insightId);
        for (long customer : List.of(SeededShop.SHARED_CUSTOMER, unique)) {
            server.sql("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                    + "VALUES ($1, $2, $3, 'SUBSCRIBED', now())", shop.domain(), customer,
                    seeded.customerEmail(customer));
            long send = server.sql("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, "
                            + "idempotency_key, status, due_at, sent_at, merge_data, template_id, template_version) "
                            + "VALUES ($1, $2, $3, $4, $5, $6, 'SENT', now(), now(), $7::jsonb, $8, 1) RETURNING id",
                    shop.domain(), flowId, customer, seeded.customerEmail(customer), "trigger-" + marker,
                    "idem-" + marker + "-" + customer, new JsonObject().put("customer", new JsonObject()
                            .put("first_name", seeded.firstName()).put("last_name", "Last" + marker)
                            .put("email", seeded.customerEmail(customer))), templateId).get(0).getLong("id");
            server.sql("INSERT INTO email_events (shop_domain, send_id, kind, url, event_id) "
                    + "VALUES ($1, $2, 'click', $3, $4)", shop.domain(), send, "https://" + marker + ".example/p",
                    "ev-" + marker + "-" + customer);
        }
        server.sql("INSERT INTO app_subscriptions (shop_domain, subscription_id, plan, status, test, trial_days, "
                + "confirmation_url, activated_at, status_at) VALUES ($1, $2, 'growth', 'ACTIVE', true, 0, $3, now(), "
                + "now())", shop.domain(), "gid://shopify/AppSubscription/" + marker,
                "https://" + shop.domain() + "/admin/charges/" + marker);
        server.sql("INSERT INTO bulk_syncs (shop_domain, bulk_operation_id, object_type, status, started_at) "
                + "VALUES ($1, $2, 'customers', 'COMPLETED', now())", shop.domain(),
                "gid://shopify/BulkOperation/" + marker);
        publish(seeded, index);
        return seeded;
    }

    private long compliance(ShopId shop, String marker) {
        long request = server.sql("INSERT INTO compliance_requests (shop_domain, webhook_id, topic, "
                        + "shopify_request_id, customer_id, received_at, due_at, status) VALUES ($1, $2, "
                        + "'customers/data_request', $3, $4, now(), now() + interval '30 days', 'DONE') RETURNING id",
                shop.domain(), "wh-" + marker, "req-" + marker, SeededShop.SHARED_CUSTOMER).get(0).getLong("id");
        String fileName = "export-" + marker + ".json";
        byte[] content = new JsonObject().put("shop", shop.domain()).put("email", "buyer1001-" + marker
                + "@example.com").encode().getBytes(StandardCharsets.UTF_8);
        try {
            Path folder = exportRoot.resolve(shop.domain());
            Files.createDirectories(folder);
            Files.write(folder.resolve(fileName), content);
        }
        catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot write the export of " + shop + ": " + e.getMessage(), e);
        }
        return server.sql("INSERT INTO compliance_exports (shop_domain, request_id, customer_id, file_name, bytes) "
                        + "VALUES ($1, $2, $3, $4, $5) RETURNING id", shop.domain(), request,
                SeededShop.SHARED_CUSTOMER, fileName, (long) content.length).get(0).getLong("id");
    }

    private void publish(SeededShop seeded, int index) {
        ShopScope scope = server.clickHouse().forShop(seeded.shop());
        long[] customers = {SeededShop.SHARED_CUSTOMER, seeded.uniqueCustomerId()};
        List<Map<String, Object>> rfm = new ArrayList<>();
        List<Map<String, Object>> predictions = new ArrayList<>();
        List<Map<String, Object>> history = new ArrayList<>();
        for (long customer : customers) {
            rfm.add(row("publish_id", PUBLISH_ID, "as_of_date", D28, "customer_id", customer, "recency_days", 3 + index,
                    "frequency", 2 + index, "monetary_cents", 100_000 + index * 1_111, "r_score", 5, "f_score", 4,
                    "m_score", 3, "segment", "CHAMPIONS"));
            predictions.add(row("publish_id", PUBLISH_ID, "as_of_date", D28, "customer_id", customer,
                    "prediction_status", "PREDICTED", "expected_orders_30d", 0.5, "expected_orders_90d", 1.5,
                    "expected_orders_365d", 5.0, "probability_alive", 0.9, "expected_order_value_cents", 5_000L,
                    "clv_12m_cents", 25_000L + index, "clv_low_cents", 20_000L, "clv_high_cents", 30_000L,
                    "churn_risk", "LOW", "next_order_date", "2026-12-10"));
            for (LocalDate date : List.of(D27, D28)) {
                history.add(row("as_of_date", date, "publish_id", PUBLISH_ID, "customer_id", customer,
                        "segment", date.equals(D27) ? "LOYAL" : "CHAMPIONS", "monetary_cents", 100_000 + index));
            }
        }
        scope.insertRows("customer_rfm", rfm);
        List<Map<String, Object>> orders = new ArrayList<>();
        for (long customer : customers) {
            orders.add(row("publish_id", PUBLISH_ID, "customer_id", customer, "order_id", 5001, "order_name",
                    "#" + seeded.marker(), "processed_at", Instant.parse("2026-11-20T10:00:00Z"), "financial_status",
                    "PAID", "total_cents", seeded.revenueCents(), "refunded_cents", 0, "net_cents",
                    seeded.revenueCents(), "line_count", 1, "cancelled", 0));
        }
        scope.insertRows("customer_orders", orders);
        scope.insertRows("customer_predictions", predictions);
        scope.insertRows("customer_segment_history", history);
        scope.insertRows("segment_history_dates", List.of(
                row("as_of_date", D27, "publish_id", PUBLISH_ID, "customers", 2),
                row("as_of_date", D28, "publish_id", PUBLISH_ID, "customers", 2)));
        scope.insertRows("segment_summary", List.of(row("publish_id", PUBLISH_ID, "as_of_date", D28,
                "segment", "CHAMPIONS", "customers", 2, "revenue_cents", seeded.revenueCents())));
        scope.insertRows("segment_transitions", List.of(row("publish_id", PUBLISH_ID, "from_date", D27,
                "to_date", D28, "from_segment", "LOYAL", "to_segment", "CHAMPIONS", "customers", 2,
                "revenue_cents", seeded.revenueCents())));
        List<Map<String, Object>> kpis = new ArrayList<>();
        for (LocalDate day : List.of(D27, D28)) {
            kpis.add(row("publish_id", PUBLISH_ID, "kpi_date", day, "orders", 3 + index, "revenue_cents",
                    day.equals(D28) ? seeded.revenueCents() : 30_000 + index, "aov_cents", 10_000, "new_customer_orders", 1, "returning_customer_orders", 2,
                    "buyers", 2, "customers", 2, "repeat_customers", 1, "repeat_rate", 0.5));
        }
        scope.insertRows("shop_daily_kpis", kpis);
        scope.insertRows("email_performance", List.of(row("publish_id", PUBLISH_ID, "send_date", D28,
                "flow_id", seeded.flowId(), "flow_kind", "welcome", "template_id", seeded.templateId(), "sent", 10,
                "delivered", 9, "bounced", 1, "unique_opens", 5, "machine_opens", 1, "unique_clicks", 2,
                "unsubscribes", 0, "orders", 1, "revenue_cents", seeded.revenueCents())));
        scope.insertRows("shop_insights", List.of(
                insight(seeded, SeededShop.SHARED_INSIGHT, 1),
                insight(seeded, seeded.insightId(), 2)));
        scope.insertRows("shop_publications", List.of(row("publish_id", PUBLISH_ID, "as_of_date", D28,
                "published_at", Instant.parse("2026-11-29T01:00:00Z"), "customers", 2)));
    }

    private static Map<String, Object> insight(SeededShop seeded, String id, int rank) {
        return row("publish_id", PUBLISH_ID, "as_of_date", D28, "insight_id", id, "kind", "FLOW_OFF",
                "subject", "subject-" + seeded.marker(), "severity", "MEDIUM", "rank", rank,
                "title", "Insight " + rank + " of " + seeded.marker(), "body", "Body of " + seeded.marker(),
                "numbers", new JsonObject().put("customers", seeded.uniqueCustomerId()).encode(),
                "action_label", "Act " + seeded.marker(), "action_path", "/flows/welcome");
    }

    private static Map<String, Object> row(Object... pairs) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            row.put((String) pairs[i], pairs[i + 1]);
        }
        return row;
    }

    private JsonObject api(ShopId shop, String method, String path, JsonObject body, int expected) {
        IsolationServer.Answer answer = server.send(ApiRequest.withBody(method, path, body),
                "Bearer " + tokens.issue(shop), Map.of());
        if (answer.status() != expected) {
            throw new IllegalStateException("Cannot seed " + shop + ": " + method + " " + path + " answered "
                    + answer.status() + " " + answer.body());
        }
        return new JsonObject(answer.body());
    }
}
