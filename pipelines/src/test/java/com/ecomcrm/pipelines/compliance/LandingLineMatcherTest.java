package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LandingLineMatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CustomerMatch JANE = new CustomerMatch(ShopId.of("a.myshopify.com"), Optional.of(42L),
            Optional.of("jane@example.com"), List.of(900L));

    @Test
    void recognisesTheCustomerInEveryShapeShopifyNamesThem() throws Exception {
        assertThat(LandingLineMatcher.matches(JANE, "customers/update", body("{\"id\":42}"))).isTrue();
        assertThat(LandingLineMatcher.matches(JANE, "bulk/customers",
                body("{\"id\":\"gid://shopify/Customer/42\"}"))).isTrue();
        assertThat(LandingLineMatcher.matches(JANE, "orders/create",
                body("{\"id\":1,\"customer\":{\"id\":42}}"))).isTrue();
        assertThat(LandingLineMatcher.matches(JANE, "customers_email_marketing_consent/update",
                body("{\"customer_id\":42}"))).isTrue();
        assertThat(LandingLineMatcher.matches(JANE, "checkouts/create",
                body("{\"token\":\"t\",\"email\":\"JANE@Example.com \"}"))).isTrue();
    }

    @Test
    void recognisesRecordsThatNameOnlyOneOfTheCustomersOrders() throws Exception {
        assertThat(LandingLineMatcher.matches(JANE, "refunds/create", body("{\"id\":5,\"order_id\":900}"))).isTrue();
        assertThat(LandingLineMatcher.matches(JANE, "bulk/orders",
                body("{\"id\":\"gid://shopify/LineItem/7\",\"__parentId\":\"gid://shopify/Order/900\"}"))).isTrue();
        assertThat(LandingLineMatcher.orderId("bulk/orders", body("{\"id\":\"gid://shopify/Order/901\"}")))
                .contains(901L);
        assertThat(LandingLineMatcher.orderId("orders/paid", body("{\"id\":902}"))).contains(902L);
    }

    @Test
    void leavesAnotherCustomerAlone() throws Exception {
        assertThat(LandingLineMatcher.matches(JANE, "customers/update", body("{\"id\":43,\"email\":\"joe@example.com\"}")))
                .isFalse();
        assertThat(LandingLineMatcher.matches(JANE, "orders/create",
                body("{\"id\":42,\"customer\":{\"id\":43}}"))).as("an order whose id equals the customer's id")
                .isFalse();
        assertThat(LandingLineMatcher.matches(JANE, "bulk/customers",
                body("{\"id\":\"gid://shopify/Customer/420\"}"))).isFalse();
        assertThat(LandingLineMatcher.matches(JANE, "refunds/create", body("{\"id\":900,\"order_id\":901}")))
                .isFalse();
    }

    private static JsonNode body(String json) throws Exception {
        return JSON.readTree(json);
    }
}
