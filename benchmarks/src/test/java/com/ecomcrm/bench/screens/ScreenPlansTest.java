package com.ecomcrm.bench.screens;

import com.ecomcrm.bench.Latency;
import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScreenPlansTest {
    private static final ShopSample SHOP = new ShopSample(ShopId.of("bench-1.myshopify.com"), 480,
            List.of("7100000000001", "7100000000002"), List.of("CHAMPIONS", "AT_RISK", "DORMANT"),
            List.of(new ShopSample.TemplateSample(42, "Hello ${customer.first_name}", "<p>Hi \"you\"</p>")),
            LocalDate.of(2026, 11, 30));
    private static final ShopSample EMPTY_SHOP = new ShopSample(ShopId.of("bench-2.myshopify.com"), 0, List.of(),
            List.of(), List.of(), LocalDate.of(2026, 11, 30));

    @Test
    void homeAsksForKpisImportProgressInsightsAndUsageTogether() {
        ScreenLoad home = ScreenPlans.plan(ScreenPlans.HOME, SHOP, new Random(1));

        assertThat(home.waves()).hasSize(1);
        assertThat(home.waves().get(0)).extracting(ScreenRequest::path)
                .containsExactly("/api/kpis", "/api/sync", "/api/insights", "/api/billing");
    }

    @Test
    void segmentsAskForTheMovementOnceTheSegmentsHaveArrived() {
        ScreenLoad segments = ScreenPlans.plan(ScreenPlans.SEGMENTS, SHOP, new Random(1));

        assertThat(segments.waves()).hasSize(2);
        assertThat(segments.waves().get(0)).extracting(ScreenRequest::path).containsExactly("/api/segments");
        assertThat(segments.waves().get(1)).extracting(ScreenRequest::endpoint)
                .containsExactly("GET /api/segments/movement");
        assertThat(segments.requestCount()).isEqualTo(2);
    }

    @Test
    void theCustomerListOpensOnTheDefaultSortWithTheScreensPageSize() {
        ScreenLoad customers = ScreenPlans.plan(ScreenPlans.CUSTOMERS, SHOP, new Random(1));

        assertThat(customers.waves().get(0)).extracting(ScreenRequest::path)
                .containsExactly("/api/customers?sort=monetary&order=desc&page=1&page_size=50");
    }

    @Test
    void filtersSearchesSortsAndPagesStayWithinWhatTheScreenCanAskFor() {
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            String filtered = onlyPath(ScreenPlans.plan(ScreenPlans.CUSTOMERS_FILTERED, SHOP, random));
            assertThat(filtered).startsWith("/api/customers?").endsWith("&page=1&page_size=50")
                    .containsAnyOf("segment=", "churn_risk=", "clv_min=", "clv_max=")
                    .doesNotContain("segment=NEW", "=&", "churn_risk=low");

            String search = onlyPath(ScreenPlans.plan(ScreenPlans.CUSTOMERS_SEARCH, SHOP, random));
            assertThat(search).matches("/api/customers\\?q=71\\d{8,11}&sort=monetary&order=desc&page=1&page_size=50");

            String sorted = onlyPath(ScreenPlans.plan(ScreenPlans.CUSTOMERS_SORTED, SHOP, random));
            assertThat(sorted).matches("/api/customers\\?sort=[a-z_0-9]+&order=(asc|desc)&page=1&page_size=50")
                    .doesNotContain("sort=monetary&order=desc");

            String page = onlyPath(ScreenPlans.plan(ScreenPlans.CUSTOMERS_PAGE, SHOP, random));
            // 480 customers are 10 pages of 50; the plan stays within the first five.
            assertThat(page).matches("/api/customers\\?sort=monetary&order=desc&page=[2-5]&page_size=50");
        }
    }

    @Test
    void theCsvExportIsADownloadLinkWithTheCurrentFilters() {
        ScreenRequest csv = ScreenPlans.plan(ScreenPlans.CUSTOMERS_CSV, SHOP, new Random(3)).waves().get(0).get(0);

        assertThat(csv.endpoint()).isEqualTo("GET /api/customers.csv");
        assertThat(csv.path()).startsWith("/api/customers.csv?").contains("sort=monetary&order=desc")
                .doesNotContain("page=");
        assertThat(csv.queryToken()).isTrue();
    }

    @Test
    void aCustomerOpensWithItsDetailAndEmailsForOneRealId() {
        ScreenLoad customer = ScreenPlans.plan(ScreenPlans.CUSTOMER, SHOP, new Random(1));

        List<ScreenRequest> wave = customer.waves().get(0);
        String id = wave.get(0).path().substring("/api/customers/".length());
        assertThat(SHOP.customerIds()).contains(id);
        assertThat(wave).extracting(ScreenRequest::path)
                .containsExactly("/api/customers/" + id, "/api/customers/" + id + "/emails");
        assertThat(wave).extracting(ScreenRequest::endpoint)
                .containsExactly("GET /api/customers/{id}", "GET /api/customers/{id}/emails");
        // A customer never emailed: the screen says "No email sent to this customer yet" on the emails' 404.
        assertThat(wave).extracting(ScreenRequest::notFoundIsAnAnswer).containsExactly(false, true);
        assertThat(customer.waves().get(1)).extracting(ScreenRequest::path)
                .containsExactly("/api/customers/" + id + "/orders?page=1&page_size=10");
    }

    @Test
    void theEditorPreviewsTheTemplatesOwnSubjectAndBodyAfterLoadingIt() {
        ScreenLoad editor = ScreenPlans.plan(ScreenPlans.TEMPLATE_EDITOR, SHOP, new Random(1));

        assertThat(editor.waves().get(0)).extracting(ScreenRequest::path)
                .containsExactly("/api/templates/42", "/api/templates/42/versions", "/api/merge-tags");
        ScreenRequest preview = editor.waves().get(1).get(0);
        assertThat(preview.method()).isEqualTo("POST");
        assertThat(preview.path()).isEqualTo("/api/templates/preview");
        assertThat(preview.jsonBody())
                .isEqualTo("{\"bodyHtml\":\"<p>Hi \\\"you\\\"</p>\",\"subject\":\"Hello ${customer.first_name}\"}");
    }

    @Test
    void emailPerformanceAsksForTheThirtyDaysEndingOnTheBrowsersToday() {
        assertThat(onlyPath(ScreenPlans.plan(ScreenPlans.EMAIL_PERFORMANCE, SHOP, new Random(1))))
                .isEqualTo("/api/email-performance?from=2026-11-01&to=2026-11-30");
    }

    @Test
    void everyScreenHasAPlanForAShopWithDataAndOnlyApiPaths() {
        for (String screen : ScreenPlans.SCREENS) {
            assertThat(ScreenPlans.applicable(screen, SHOP)).as(screen).isTrue();
            assertThat(ScreenPlans.plan(screen, SHOP, new Random(1)).waves()).as(screen).allSatisfy(wave ->
                    assertThat(wave).allSatisfy(r -> assertThat(r.path()).startsWith("/api/")));
        }
    }

    @Test
    void aShopWithoutCustomersOrTemplatesSkipsTheScreensThatNeedThem() {
        assertThat(ScreenPlans.SCREENS.stream().filter(s -> !ScreenPlans.applicable(s, EMPTY_SHOP)))
                .containsExactlyInAnyOrder(ScreenPlans.CUSTOMER, ScreenPlans.CUSTOMERS_SEARCH,
                        ScreenPlans.CUSTOMERS_PAGE, ScreenPlans.TEMPLATE_EDITOR);
        assertThatThrownBy(() -> ScreenPlans.plan(ScreenPlans.CUSTOMER, EMPTY_SHOP, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot plan screen 'Customer' for bench-2.myshopify.com: it is unknown or the shop has "
                        + "nothing for it");
    }

    @Test
    void theSameSeedPlansTheSameLoads() {
        Random a = new Random(99);
        Random b = new Random(99);
        for (String screen : ScreenPlans.SCREENS) {
            assertThat(ScreenPlans.plan(screen, SHOP, a)).isEqualTo(ScreenPlans.plan(screen, SHOP, b));
        }
    }

    @Test
    void searchTypesTheFirstDigitsOfARealId() {
        Random random = new Random(5);
        for (int i = 0; i < 100; i++) {
            String q = ScreenPlans.searchPrefix("7100000000001", random);
            assertThat("7100000000001").startsWith(q);
            assertThat(q.length()).isBetween(10, 13);
        }
        assertThat(ScreenPlans.searchPrefix("7", new Random(5))).isEqualTo("7");
    }

    @Test
    void aScreenPassesOnlyWithAP95UnderTheBudgetAndNoFailures() {
        ScreenBudget budget = ScreenBudget.DASHBOARD;
        Latency fast = Latency.ofNanos(new long[] {10_000_000L, 20_000_000L, 49_000_000L});
        Latency slow = Latency.ofNanos(new long[] {10_000_000L, 20_000_000L, 50_000_000L});

        assertThat(budget.verdict(fast, 0)).isEqualTo("PASS");
        assertThat(budget.verdict(slow, 0)).isEqualTo("FAIL");
        assertThat(budget.verdict(fast, 1)).isEqualTo("FAIL");
        assertThat(budget.verdict(Latency.ofNanos(new long[0]), 0)).isEqualTo("FAIL");
        assertThatThrownBy(() -> new ScreenBudget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot set a p95 budget of 0.0 ms: it must be positive");
    }

    private static String onlyPath(ScreenLoad load) {
        assertThat(load.waves()).hasSize(1);
        assertThat(load.waves().get(0)).hasSize(1);
        return load.waves().get(0).get(0).path();
    }
}
