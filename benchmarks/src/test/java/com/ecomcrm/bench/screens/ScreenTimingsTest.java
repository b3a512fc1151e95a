package com.ecomcrm.bench.screens;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScreenTimingsTest {
    private static final long MS = 1_000_000L;

    @Test
    void keepsEachScreenAndEachEndpointApartAndAllLoadsTogether() {
        ScreenTimings timings = new ScreenTimings();
        timings.screen("Home", 10 * MS);
        timings.screen("Home", 30 * MS);
        timings.screen("Billing", 20 * MS);
        timings.endpoint("GET /api/kpis", 8 * MS, 6_000);
        timings.endpoint("GET /api/kpis", 9 * MS, 4_000);

        assertThat(timings.screens()).containsOnlyKeys("Billing", "Home");
        assertThat(timings.screens().get("Home").count()).isEqualTo(2);
        assertThat(timings.screens().get("Home").p95Ms()).isEqualTo(30.0);
        assertThat(timings.all().count()).isEqualTo(3);
        assertThat(timings.all().p50Ms()).isEqualTo(20.0);
        assertThat(timings.endpoints().get("GET /api/kpis").p99Ms()).isEqualTo(9.0);
        assertThat(timings.meanBytes("GET /api/kpis")).isEqualTo(5_000);
    }

    @Test
    void countsFailuresAndKeepsTheFirstMessageOfEachScreen() {
        ScreenTimings timings = new ScreenTimings();
        timings.screenFailed("Customer", "GET /api/customers/1: HTTP 500");
        timings.screenFailed("Customer", "GET /api/customers/2: HTTP 500");
        timings.endpointFailed("GET /api/customers/{id}");

        assertThat(timings.screenFailures("Customer")).isEqualTo(2);
        assertThat(timings.screenFailures("Home")).isZero();
        assertThat(timings.endpointFailures("GET /api/customers/{id}")).isEqualTo(1);
        assertThat(timings.firstErrors()).containsExactly(
                java.util.Map.entry("Customer", "GET /api/customers/1: HTTP 500"));
        assertThat(timings.screens()).isEmpty();
        assertThat(timings.meanBytes("GET /api/customers/{id}")).isZero();
    }
}
