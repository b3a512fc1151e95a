package com.ecomcrm.bench.screens;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The requests each dashboard screen makes when it opens, copied from the screens' code
 * (api-server/src/main/frontend/src/screens/*.tsx): the same URLs, parameters in the same order, the same waves.
 * Ids come from a {@link ShopSample}; choices a merchant makes (which customer, which filter, which page) are drawn
 * from the caller's seeded {@link Random}, so a run is repeatable. When a screen changes its requests, change its plan
 * here too.
 */
public final class ScreenPlans {
    public static final String HOME = "Home";
    public static final String SEGMENTS = "Segments";
    public static final String CUSTOMERS = "Customers";
    public static final String CUSTOMERS_FILTERED = "Customers: filters";
    public static final String CUSTOMERS_SEARCH = "Customers: search";
    public static final String CUSTOMERS_SORTED = "Customers: sort";
    public static final String CUSTOMERS_PAGE = "Customers: next page";
    public static final String CUSTOMERS_CSV = "Customers: CSV export";
    public static final String CUSTOMER = "Customer";
    public static final String FLOWS = "Flows";
    public static final String TEMPLATES = "Templates";
    public static final String TEMPLATE_EDITOR = "Template editor (with preview)";
    public static final String EMAIL_PERFORMANCE = "Email performance";
    public static final String INSIGHTS = "Insights";
    public static final String BILLING = "Billing";
    public static final String SETTINGS = "Settings";

    /** Every screen, in the dashboard's navigation order. */
    public static final List<String> SCREENS = List.of(HOME, SEGMENTS, CUSTOMERS, CUSTOMERS_FILTERED, CUSTOMERS_SEARCH,
            CUSTOMERS_SORTED, CUSTOMERS_PAGE, CUSTOMERS_CSV, CUSTOMER, FLOWS, TEMPLATES, TEMPLATE_EDITOR,
            EMAIL_PERFORMANCE, INSIGHTS, BILLING, SETTINGS);

    /** Customers.tsx's PAGE_SIZE. */
    static final int PAGE_SIZE = 50;
    /** Customer.tsx's ORDERS_PAGE_SIZE. */
    static final int ORDERS_PAGE_SIZE = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CHURN_RISKS = List.of("LOW", "MEDIUM", "HIGH");
    /** Customers.tsx's SORTS but its default (monetary, descending). */
    private static final List<String> SORTS = List.of("monetary", "clv_12m", "frequency", "recency_days",
            "probability_alive", "customer_id");
    /** Amounts a merchant types into the predicted-value range, in the shop's currency. */
    private static final List<String[]> CLV_RANGES = List.of(new String[] {"", "50"}, new String[] {"50", "200"},
            new String[] {"200", ""}, new String[] {"100", "1000"});

    private ScreenPlans() {
    }

    /** Whether the shop has what the screen needs (a customer to open, a template to edit). */
    public static boolean applicable(String screen, ShopSample sample) {
        return switch (screen) {
            case CUSTOMER, CUSTOMERS_SEARCH -> !sample.customerIds().isEmpty();
            case TEMPLATE_EDITOR -> !sample.templates().isEmpty();
            case CUSTOMERS_PAGE -> sample.totalCustomers() > PAGE_SIZE;
            default -> SCREENS.contains(screen);
        };
    }

    public static ScreenLoad plan(String screen, ShopSample sample, Random random) {
        if (!applicable(screen, sample)) {
            throw new IllegalArgumentException("Cannot plan screen '" + screen + "' for " + sample.shop()
                    + ": it is unknown or the shop has nothing for it");
        }
        return switch (screen) {
            // Home.tsx: KPIs, import progress, the top insights and the plan's usage (the quota banner), at mount.
            case HOME -> ScreenLoad.of(screen, List.of(get("/api/kpis"), get("/api/sync"), get("/api/insights"),
                    get("/api/billing")));
            // Segments.tsx: the segments (with each card's average predicted value); once they are in, the movement
            // card fetches the transitions.
            case SEGMENTS -> ScreenLoad.of(screen, List.of(get("/api/segments")))
                    .then(List.of(get("/api/segments/movement")));
            case CUSTOMERS -> customers(screen, filters(), 1);
            case CUSTOMERS_FILTERED -> customers(screen, filtered(sample, random), 1);
            case CUSTOMERS_SEARCH -> {
                Map<String, String> f = filters();
                f.put("q", searchPrefix(pick(sample.customerIds(), random), random));
                yield customers(screen, f, 1);
            }
            case CUSTOMERS_SORTED -> {
                Map<String, String> f = filters();
                String sort = pick(SORTS, random);
                f.put("sort", sort);
                f.put("order", sort.equals("monetary") || random.nextBoolean() ? "asc" : "desc");
                yield customers(screen, f, 1);
            }
            case CUSTOMERS_PAGE -> {
                int pages = (int) Math.min(5, (sample.totalCustomers() + PAGE_SIZE - 1) / PAGE_SIZE);
                yield customers(screen, filters(), 2 + random.nextInt(pages - 1));
            }
            // Customers.tsx exportCsv(): the current filters, as a download link with the token in the query.
            case CUSTOMERS_CSV -> {
                Map<String, String> f = random.nextBoolean() || sample.segmentsWithCustomers().isEmpty() ? filters()
                        : filtered(sample, random);
                yield ScreenLoad.of(screen, List.of(ScreenRequest.download("GET /api/customers.csv",
                        "/api/customers.csv?" + query(f))));
            }
            // Customer.tsx: the detail (RFM history, predictions) and the emails received, together (a customer never
            // emailed is a 404 the screen shows as "No email sent to this customer yet"); once the detail is in, the
            // orders timeline asks for its first page.
            case CUSTOMER -> {
                String id = pick(sample.customerIds(), random);
                yield ScreenLoad.of(screen, List.of(ScreenRequest.get("GET /api/customers/{id}", "/api/customers/" + id),
                        ScreenRequest.getOrNotFound("GET /api/customers/{id}/emails",
                                "/api/customers/" + id + "/emails")))
                        .then(List.of(ScreenRequest.get("GET /api/customers/{id}/orders", "/api/customers/" + id
                                + "/orders?page=1&page_size=" + ORDERS_PAGE_SIZE)));
            }
            // Flows.tsx: the flows and the templates for the template pickers.
            case FLOWS -> ScreenLoad.of(screen, List.of(get("/api/flows"), get("/api/templates")));
            case TEMPLATES -> ScreenLoad.of(screen, List.of(get("/api/templates")));
            // TemplateEditor.tsx: template, versions and merge tags together; once the template is in, the live
            // preview of its subject and body (sent after a 400 ms pause that is not counted here).
            case TEMPLATE_EDITOR -> {
                ShopSample.TemplateSample t = pick(sample.templates(), random);
                ScreenLoad first = ScreenLoad.of(screen, List.of(
                        ScreenRequest.get("GET /api/templates/{id}", "/api/templates/" + t.id()),
                        ScreenRequest.get("GET /api/templates/{id}/versions", "/api/templates/" + t.id() + "/versions"),
                        get("/api/merge-tags")));
                yield first.then(List.of(ScreenRequest.post("POST /api/templates/preview", "/api/templates/preview",
                        json(Map.of("subject", t.subject(), "bodyHtml", t.bodyHtml())))));
            }
            // EmailPerformance.tsx: the last 30 days, ending on the browser's today.
            case EMAIL_PERFORMANCE -> ScreenLoad.of(screen, List.of(get("/api/email-performance?from="
                    + sample.today().minusDays(29) + "&to=" + sample.today())));
            // The ranked insights (the Home screen's card; the dashboard has no screen of its own for them).
            case INSIGHTS -> ScreenLoad.of(screen, List.of(get("/api/insights")));
            case BILLING -> ScreenLoad.of(screen, List.of(get("/api/billing")));
            case SETTINGS -> ScreenLoad.of(screen, List.of(get("/api/settings"), get("/api/sender-domain")));
            default -> throw new IllegalArgumentException("Cannot plan screen '" + screen + "'");
        };
    }

    /** A GET whose route is its path without the query. */
    private static ScreenRequest get(String path) {
        int q = path.indexOf('?');
        return ScreenRequest.get("GET " + (q < 0 ? path : path.substring(0, q)), path);
    }

    /** Customers.tsx's list request: the applied filters, then page and page size. */
    private static ScreenLoad customers(String screen, Map<String, String> filters, int page) {
        return ScreenLoad.of(screen, List.of(ScreenRequest.get("GET /api/customers",
                "/api/customers?" + query(filters) + "&page=" + page + "&page_size=" + PAGE_SIZE)));
    }

    /** Customers.tsx's Filters, in its field order (the query keeps it), with the screen's defaults. */
    private static Map<String, String> filters() {
        Map<String, String> filters = new LinkedHashMap<>();
        for (String key : List.of("segment", "churn_risk", "clv_min", "clv_max", "q")) {
            filters.put(key, "");
        }
        filters.put("sort", "monetary");
        filters.put("order", "desc");
        return filters;
    }

    private static Map<String, String> filtered(ShopSample sample, Random random) {
        Map<String, String> f = filters();
        switch (random.nextInt(4)) {
            case 0 -> f.put("segment", orAny(sample, random));
            case 1 -> f.put("churn_risk", pick(CHURN_RISKS, random));
            case 2 -> {
                f.put("segment", orAny(sample, random));
                f.put("churn_risk", pick(CHURN_RISKS, random));
            }
            default -> {
                String[] range = pick(CLV_RANGES, random);
                f.put("clv_min", range[0]);
                f.put("clv_max", range[1]);
            }
        }
        return f;
    }

    private static String orAny(ShopSample sample, Random random) {
        return sample.segmentsWithCustomers().isEmpty() ? "CHAMPIONS" : pick(sample.segmentsWithCustomers(), random);
    }

    /** URLSearchParams of the non-blank filters, as Customers.tsx builds it (values here need no escaping). */
    static String query(Map<String, String> filters) {
        return filters.entrySet().stream().filter(e -> !e.getValue().isBlank())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
    }

    /** What a merchant types in the id field: the id's first digits, or the whole id. */
    static String searchPrefix(String customerId, Random random) {
        int length = Math.max(1, customerId.length() - random.nextInt(Math.min(4, customerId.length())));
        return customerId.substring(0, length);
    }

    private static <T> T pick(List<T> values, Random random) {
        return values.get(random.nextInt(values.size()));
    }

    private static String json(Map<String, String> body) {
        try {
            return JSON.writeValueAsString(new java.util.TreeMap<>(body));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a preview body", e);
        }
    }
}
