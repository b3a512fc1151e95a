package com.ecomcrm.api.isolation;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every {@code /api} route and how to attack it. {@link TenantIsolationTest} fails when ApiServer routes a path that
 * is not here, so a new route cannot ship without isolation coverage. Entries for routes not (yet) in ApiServer are
 * reported by the test, not failed.
 */
final class AttackTable {
    private static final List<String> NONE = List.of();
    private static final List<String> DATES = List.of("from", "to");
    private static final List<String> CUSTOMER_FILTERS = List.of("segment", "churn_risk", "clv_min", "clv_max", "q",
            "sort", "order", "page", "page_size");

    private AttackTable() {
    }

    static Map<String, RouteAttack> all() {
        List<RouteAttack> routes = List.of(
                get("/api/segments", "segment summary of the latest publication", true, DATES,
                        s -> ApiRequest.get("/api/segments")),
                get("/api/segments/movement", "segment transitions between two history dates", true, DATES,
                        s -> ApiRequest.get("/api/segments/movement")),
                get("/api/kpis", "daily KPIs", true, List.of("from", "to", "granularity"),
                        s -> ApiRequest.get("/api/kpis").withQuery(Map.of("from", "2026-11-27", "to", "2026-11-28"))),
                get("/api/email-performance", "per-flow email metrics", true, DATES,
                        s -> ApiRequest.get("/api/email-performance")
                                .withQuery(Map.of("from", "2026-11-27", "to", "2026-11-28"))),
                get("/api/insights", "the shop's insights", true, NONE, s -> ApiRequest.get("/api/insights")),
                new RouteAttack("POST /api/insights/:id/dismiss", "a state change on one insight", true,
                        List.of("insight"), List.of("insight"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/insights/" + ids.get("insight") + "/dismiss",
                                null)),
                new RouteAttack("POST /api/insights/:id/done", "a state change on one insight", true,
                        List.of("insight"), List.of("insight"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/insights/" + ids.get("insight") + "/done",
                                null)),
                get("/api/customers", "customer list (ClickHouse)", true, CUSTOMER_FILTERS,
                        s -> ApiRequest.get("/api/customers")),
                get("/api/customers.csv", "customer export (ClickHouse)", true, CUSTOMER_FILTERS,
                        s -> ApiRequest.get("/api/customers.csv")),
                new RouteAttack("GET /api/customers/:id", "one customer (ClickHouse)", true, List.of("customer"),
                        List.of("customer"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.get("/api/customers/" + ids.get("customer"))),
                new RouteAttack("GET /api/customers/:id/orders", "one customer's orders timeline (ClickHouse)", true,
                        List.of("customer"), List.of("customer"), List.of("page", "page_size"), NONE, false,
                        (s, ids) -> ApiRequest.get("/api/customers/" + ids.get("customer") + "/orders")),
                get("/api/shop", "the shop's name and currency (PostgreSQL shops)", true, NONE,
                        s -> ApiRequest.get("/api/shop")),
                new RouteAttack("POST /api/install/complete", "token exchange with Shopify for the session's shop",
                        false, NONE, NONE, NONE, NONE, true,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/install/complete", null)),
                get("/api/sync", "initial import progress (PostgreSQL bulk_syncs)", false, NONE,
                        s -> ApiRequest.get("/api/sync")),
                get("/api/billing", "plan, subscription and usage", false, NONE, s -> ApiRequest.get("/api/billing")),
                new RouteAttack("POST /api/billing/subscribe", "appSubscriptionCreate at Shopify", false, NONE, NONE,
                        NONE, List.of("plan"), true,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/billing/subscribe",
                                new JsonObject().put("plan", "growth"))),
                get("/api/compliance/exports", "customers/data_request exports", true, NONE,
                        s -> ApiRequest.get("/api/compliance/exports")),
                new RouteAttack("GET /api/compliance/exports/:id", "one export file", true, List.of("export"),
                        List.of("export"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.get("/api/compliance/exports/" + ids.get("export"))),
                get("/api/flows", "the flow library", true, NONE, s -> ApiRequest.get("/api/flows")),
                new RouteAttack("GET /api/flows/:id", "one flow", true, List.of("flow"), List.of("flow"), NONE,
                        NONE, false, (s, ids) -> ApiRequest.get("/api/flows/" + ids.get("flow"))),
                new RouteAttack("PATCH /api/flows/:id", "switch, delay, conditions, template of a flow", true,
                        List.of("flow", "template"), List.of("flow"), NONE,
                        List.of("enabled", "delayMinutes", "conditions", "templateId"), false,
                        (s, ids) -> ApiRequest.withBody("PATCH", "/api/flows/" + ids.get("flow"), new JsonObject()
                                .put("enabled", false).put("delayMinutes", 0)
                                .put("templateId", Long.parseLong(ids.get("template"))))),
                new RouteAttack("GET /api/customers/:id/emails", "emails sent to one customer (PostgreSQL)", true,
                        List.of("customer"), List.of("customer"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.get("/api/customers/" + ids.get("customer") + "/emails")),
                get("/api/templates", "the shop's templates", true, NONE, s -> ApiRequest.get("/api/templates")),
                new RouteAttack("POST /api/templates", "a new template", true, NONE, NONE, NONE,
                        List.of("name", "subject", "bodyHtml"), false,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/templates", new JsonObject()
                                .put("name", "New " + UUID.randomUUID())
                                .put("subject", "New for " + s.marker()).put("bodyHtml", "<p>new</p>"))),
                new RouteAttack("POST /api/templates/preview", "renders with sample data or one own customer", true,
                        List.of("customer"), NONE, NONE, List.of("subject", "bodyHtml", "customerId"), false,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/templates/preview", new JsonObject()
                                .put("subject", "Hi ${customer.first_name}")
                                .put("bodyHtml", "<p>${customer.first_name} ${customer.email}</p>")
                                .put("customerId", Long.parseLong(ids.get("customer"))))),
                new RouteAttack("GET /api/templates/:id", "one template", true, List.of("template"),
                        List.of("template"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.get("/api/templates/" + ids.get("template"))),
                new RouteAttack("PUT /api/templates/:id", "a new version of a template", true, List.of("template"),
                        List.of("template"), NONE, List.of("subject", "bodyHtml"), false,
                        (s, ids) -> ApiRequest.withBody("PUT", "/api/templates/" + ids.get("template"),
                                new JsonObject().put("subject", "Hello again " + s.marker())
                                        .put("bodyHtml", "<p>Body v2 " + s.marker() + "</p>"))),
                new RouteAttack("GET /api/templates/:id/versions", "a template's versions", true,
                        List.of("template"), List.of("template"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.get("/api/templates/" + ids.get("template") + "/versions")),
                new RouteAttack("GET /api/templates/:id/versions/:version", "one version of a template", true,
                        List.of("template", "version"), List.of("template", "version"), NONE, NONE, false,
                        (s, ids) -> ApiRequest.get("/api/templates/" + ids.get("template") + "/versions/"
                                + ids.get("version"))),
                new RouteAttack("POST /api/templates/:id/test-send", "a test email of a template (SMTP)", false,
                        List.of("template", "customer"), List.of("template"), NONE, List.of("to", "customerId"),
                        false,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/templates/" + ids.get("template")
                                + "/test-send", new JsonObject().put("to", "qa-" + s.marker() + "@example.com")
                                .put("customerId", Long.parseLong(ids.get("customer"))))),
                get("/api/merge-tags", "no shop data: the merge-tag catalogue with the app's sample values", false,
                        NONE, s -> ApiRequest.get("/api/merge-tags")),
                get("/api/settings", "the shop's email settings", true, NONE, s -> ApiRequest.get("/api/settings")),
                new RouteAttack("PUT /api/settings", "saves the shop's email settings", true, NONE, NONE, NONE,
                        List.of("timezone", "quietHours.enabled", "quietHours.start", "quietHours.end",
                                "attribution.clickDays", "attribution.openDays", "fromName", "replyTo"), false,
                        (s, ids) -> ApiRequest.withBody("PUT", "/api/settings", new JsonObject()
                                .put("timezone", "UTC")
                                .put("quietHours", new JsonObject().put("enabled", true).put("start", "21:00")
                                        .put("end", "08:00"))
                                .put("attribution", new JsonObject().put("clickDays", 5).put("openDays", 5))
                                .put("fromName", "From " + s.marker())
                                .put("replyTo", "reply-" + s.marker() + "@example.com"))),
                get("/api/sender-domain", "the shop's sender domain and DNS records", true, NONE,
                        s -> ApiRequest.get("/api/sender-domain")),
                new RouteAttack("PUT /api/sender-domain", "sets the sender domain (new DKIM key)", true, NONE, NONE,
                        NONE, List.of("domain"), false,
                        (s, ids) -> ApiRequest.withBody("PUT", "/api/sender-domain",
                                new JsonObject().put("domain", "mail-" + s.marker() + ".example"))),
                new RouteAttack("POST /api/sender-domain/verify", "DNS check of the shop's own domain", true, NONE,
                        NONE, NONE, NONE, false,
                        (s, ids) -> ApiRequest.withBody("POST", "/api/sender-domain/verify", null)));
        return routes.stream().collect(Collectors.toMap(RouteAttack::route, Function.identity(), (a, b) -> {
            throw new IllegalStateException("Route twice in the attack table: " + a.route());
        }, java.util.LinkedHashMap::new));
    }

    private static RouteAttack get(String path, String note, boolean ownEvidence, List<String> query,
                                   Function<SeededShop, ApiRequest> build) {
        BiFunction<SeededShop, Map<String, String>, ApiRequest> ignoringIds = (s, ids) -> build.apply(s);
        return new RouteAttack("GET " + path, note, ownEvidence, NONE, NONE, query, NONE, false, ignoringIds);
    }
}
