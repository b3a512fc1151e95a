package com.ecomcrm.api.billing;

import com.ecomcrm.api.shopify.AdminApiClient;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.http.HttpClient;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The Billing API calls, blocking (run them on a worker thread): {@code appSubscriptionCreate},
 * {@code appSubscriptionCancel} and {@code currentAppInstallation.activeSubscriptions}. Shopify's {@code userErrors}
 * become a {@link DomainException} ({@code INVALID_INPUT}) carrying Shopify's message.
 */
public final class ShopifyBilling {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String CREATE = """
            mutation AppSubscriptionCreate($name: String!, $returnUrl: URL!, $test: Boolean, $trialDays: Int,
                $replacementBehavior: AppSubscriptionReplacementBehavior, $lineItems: [AppSubscriptionLineItemInput!]!) {
              appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, trialDays: $trialDays,
                  replacementBehavior: $replacementBehavior, lineItems: $lineItems) {
                appSubscription { id name status test trialDays createdAt currentPeriodEnd }
                confirmationUrl
                userErrors { field message }
              }
            }""";
    static final String CANCEL = """
            mutation AppSubscriptionCancel($id: ID!, $prorate: Boolean) {
              appSubscriptionCancel(id: $id, prorate: $prorate) {
                appSubscription { id status }
                userErrors { field message }
              }
            }""";
    static final String ACTIVE = """
            query ActiveSubscriptions {
              currentAppInstallation { activeSubscriptions { id name status test trialDays createdAt currentPeriodEnd } }
            }""";

    /** A subscription as Shopify reports it. */
    public record RemoteSubscription(String id, String name, String status, boolean test, int trialDays,
                                     Optional<Instant> createdAt, Optional<Instant> currentPeriodEnd) {
        public RemoteSubscription {
            requireNonNull(id, "id is null");
            requireNonNull(status, "status is null");
        }
    }

    public record Created(RemoteSubscription subscription, String confirmationUrl) {
    }

    private final HttpClient http;
    private final String graphqlUrl;

    public ShopifyBilling(HttpClient http, String graphqlUrl) {
        this.http = requireNonNull(http, "http is null");
        this.graphqlUrl = requireNonNull(graphqlUrl, "graphqlUrl is null");
    }

    public Created create(ShopId shop, String accessToken, Plans.Plan plan, String returnUrl, boolean test,
                          int trialDays) {
        ObjectNode variables = JSON.createObjectNode()
                .put("name", plan.displayName())
                .put("returnUrl", returnUrl)
                .put("test", test)
                .put("trialDays", trialDays)
                // STANDARD: Shopify picks immediate replacement for an upgrade and end-of-cycle for a downgrade.
                .put("replacementBehavior", "STANDARD");
        ObjectNode recurring = variables.putArray("lineItems").addObject().putObject("plan")
                .putObject("appRecurringPricingDetails");
        recurring.putObject("price").put("amount", plan.monthlyPrice()).put("currencyCode", Plans.CURRENCY);
        recurring.put("interval", Plans.INTERVAL);
        JsonNode payload = client(shop, accessToken).graphql(CREATE, variables).path("appSubscriptionCreate");
        failOnUserErrors(shop, payload, "subscribe to " + plan.displayName());
        String confirmationUrl = payload.path("confirmationUrl").asText(null);
        if (confirmationUrl == null || payload.path("appSubscription").isMissingNode()) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot subscribe " + shop + " to " + plan.displayName()
                    + ": Shopify answered without a confirmation URL");
        }
        return new Created(subscription(payload.path("appSubscription")), confirmationUrl);
    }

    /** Cancels a subscription and returns its new status. */
    public String cancel(ShopId shop, String accessToken, String subscriptionId) {
        ObjectNode variables = JSON.createObjectNode().put("id", subscriptionId).put("prorate", true);
        JsonNode payload = client(shop, accessToken).graphql(CANCEL, variables).path("appSubscriptionCancel");
        failOnUserErrors(shop, payload, "cancel subscription " + subscriptionId);
        return payload.path("appSubscription").path("status").asText("CANCELLED");
    }

    public List<RemoteSubscription> active(ShopId shop, String accessToken) {
        JsonNode list = client(shop, accessToken).graphql(ACTIVE, null).path("currentAppInstallation")
                .path("activeSubscriptions");
        List<RemoteSubscription> subscriptions = new ArrayList<>();
        list.forEach(node -> subscriptions.add(subscription(node)));
        return subscriptions;
    }

    private AdminApiClient client(ShopId shop, String accessToken) {
        return new AdminApiClient(http, graphqlUrl, shop, accessToken);
    }

    private static void failOnUserErrors(ShopId shop, JsonNode payload, String what) {
        JsonNode errors = payload.path("userErrors");
        if (errors.isArray() && !errors.isEmpty()) {
            List<String> messages = new ArrayList<>();
            errors.forEach(e -> messages.add(e.path("message").asText()));
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot " + what + " for " + shop + ": Shopify says "
                    + String.join("; ", messages));
        }
    }

    static RemoteSubscription subscription(JsonNode node) {
        return new RemoteSubscription(node.path("id").asText(), node.path("name").asText(null),
                node.path("status").asText("PENDING"), node.path("test").asBoolean(false),
                node.path("trialDays").asInt(0), instant(node.path("createdAt")),
                instant(node.path("currentPeriodEnd")));
    }

    static Optional<Instant> instant(JsonNode node) {
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(node.asText()).toInstant());
        }
        catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
