package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Shopify's Billing API for the simulator (shopify-platform.md section 7): {@code appSubscriptionCreate} (a PENDING
 * subscription and a confirmation URL on the simulator), {@code appSubscriptionCancel} and
 * {@code currentAppInstallation { activeSubscriptions }} (ACTIVE ones only). The merchant's decision is
 * {@link #decide}: the simulator serves it at the confirmation URL ({@code GET}, {@code ?decline=1} to decline).
 * Approving one subscription replaces (cancels) the shop's other ACTIVE one, as Shopify does. Webhooks are not sent by
 * themselves; a test builds one with {@link #updateWebhook} and delivers it.
 */
public final class SimulatedBilling {
    SimulatedBilling() {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final Set<String> FIELDS = Set.of("appSubscriptionCreate", "appSubscriptionCancel",
            "currentAppInstallation");

    /** One subscription; guarded by the SimulatedBilling monitor. */
    static final class Subscription {
        final long number;
        final ShopId shop;
        final String name;
        final String returnUrl;
        final boolean test;
        final int trialDays;
        final String amount;
        final String currencyCode;
        final String signature;
        final Instant createdAt;
        String status = "PENDING";
        Instant updatedAt;
        Instant currentPeriodEnd;

        Subscription(long number, ShopId shop, String name, String returnUrl, boolean test, int trialDays,
                     String amount, String currencyCode, Instant createdAt) {
            this.number = number;
            this.shop = shop;
            this.name = name;
            this.returnUrl = returnUrl;
            this.test = test;
            this.trialDays = trialDays;
            this.amount = amount;
            this.currencyCode = currencyCode;
            this.signature = HexFormat.of().formatHex(RANDOM.generateSeed(16));
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        String gid() {
            return "gid://shopify/AppSubscription/" + number;
        }
    }

    /** A subscription as tests see it. */
    public record View(String id, String name, String status, boolean test, int trialDays, String amount,
                       String returnUrl) {
    }

    private final AtomicLong numbers = new AtomicLong(1029266900);
    private final Map<Long, Subscription> subscriptions = new LinkedHashMap<>();

    static boolean handles(String document) {
        return FIELDS.stream().anyMatch(field -> GraphqlText.calls(document, field));
    }

    static boolean isMutation(String document) {
        return GraphqlText.calls(document, "appSubscriptionCreate") || GraphqlText.calls(document, "appSubscriptionCancel");
    }

    synchronized ObjectNode execute(ShopId shop, String document, JsonNode variables, Instant now, String baseUrl) {
        ObjectNode data = JSON.createObjectNode();
        if (GraphqlText.calls(document, "appSubscriptionCreate")) {
            ObjectNode payload = data.putObject("appSubscriptionCreate");
            String name = GraphqlText.argument(document, "appSubscriptionCreate", "name", variables).orElse("");
            String returnUrl = GraphqlText.argument(document, "appSubscriptionCreate", "returnUrl", variables)
                    .orElse("");
            boolean test = GraphqlText.argument(document, "appSubscriptionCreate", "test", variables)
                    .map(Boolean::parseBoolean).orElse(false);
            int trialDays = GraphqlText.argument(document, "appSubscriptionCreate", "trialDays", variables)
                    .map(Integer::parseInt).orElse(0);
            JsonNode price = GraphqlText.variableArgument(document, "appSubscriptionCreate", "lineItems", variables)
                    .map(items -> items.path(0).path("plan").path("appRecurringPricingDetails").path("price"))
                    .orElse(JSON.missingNode());
            if (name.isBlank()) {
                return failed(data, payload, "name", "Name can't be blank");
            }
            if (!returnUrl.matches("https?://.+")) {
                return failed(data, payload, "returnUrl", "Return url is invalid");
            }
            if (!price.path("amount").isNumber() && !price.path("amount").isTextual() || trialDays < 0) {
                return failed(data, payload, "lineItems", "Line items must have a recurring price");
            }
            Subscription created = new Subscription(numbers.incrementAndGet(), shop, name, returnUrl, test, trialDays,
                    price.path("amount").asText(), price.path("currencyCode").asText("USD"), now);
            subscriptions.put(created.number, created);
            payload.set("appSubscription", node(created));
            payload.put("confirmationUrl", baseUrl + "/shops/" + shop.domain() + "/admin/charges/" + created.number
                    + "/confirm_recurring_application_charge?signature=" + created.signature);
            payload.putArray("userErrors");
        }
        else if (GraphqlText.calls(document, "appSubscriptionCancel")) {
            ObjectNode payload = data.putObject("appSubscriptionCancel");
            String id = GraphqlText.argument(document, "appSubscriptionCancel", "id", variables).orElse("");
            Subscription found = find(shop, id).orElse(null);
            if (found == null) {
                return failed(data, payload, "id", "Couldn't find RecurringApplicationCharge");
            }
            found.status = "CANCELLED";
            found.updatedAt = now;
            payload.set("appSubscription", node(found));
            payload.putArray("userErrors");
        }
        else {
            ArrayNode active = data.putObject("currentAppInstallation").putArray("activeSubscriptions");
            subscriptions.values().stream().filter(s -> s.shop.equals(shop) && s.status.equals("ACTIVE"))
                    .forEach(s -> active.add(node(s)));
        }
        return data;
    }

    /**
     * The merchant approves (or declines) the charge behind a confirmation URL. Returns where Shopify sends the
     * browser: the returnUrl with {@code charge_id} after an approval, the app's page in the admin after a decline;
     * empty when the URL is unknown, for another shop, badly signed or no longer pending.
     */
    synchronized Optional<String> decide(ShopId shop, long number, String signature, boolean approve, Instant now,
                                         String baseUrl) {
        Subscription s = subscriptions.get(number);
        if (s == null || !s.shop.equals(shop) || !s.signature.equals(signature) || !s.status.equals("PENDING")) {
            return Optional.empty();
        }
        s.updatedAt = now;
        if (!approve) {
            s.status = "DECLINED";
            return Optional.of(baseUrl + "/shops/" + shop.domain() + "/admin/apps?charge_declined=" + number);
        }
        for (Subscription other : subscriptions.values()) {
            if (other != s && other.shop.equals(shop) && other.status.equals("ACTIVE")) {
                other.status = "CANCELLED";
                other.updatedAt = now;
            }
        }
        s.status = "ACTIVE";
        s.currentPeriodEnd = now.plus(Duration.ofDays(30L + s.trialDays));
        return Optional.of(s.returnUrl + (s.returnUrl.contains("?") ? "&" : "?") + "charge_id=" + number);
    }

    /** Sets a subscription's status as Shopify would (frozen, expired, cancelled by uninstall...). */
    synchronized void setStatus(ShopId shop, String id, String status, Instant now) {
        Subscription s = find(shop, id).orElseThrow(() -> new IllegalArgumentException("No subscription " + id
                + " in " + shop));
        s.status = status;
        s.updatedAt = now;
    }

    synchronized List<View> list(ShopId shop) {
        List<View> views = new ArrayList<>();
        subscriptions.values().stream().filter(s -> s.shop.equals(shop)).forEach(s -> views.add(new View(s.gid(),
                s.name, s.status, s.test, s.trialDays, s.amount, s.returnUrl)));
        return views;
    }

    /** The {@code app_subscriptions/update} delivery Shopify would make for the subscription's current state. */
    synchronized SimulatedWebhook updateWebhook(ShopId shop, String id, String status, Instant updatedAt,
                                                String apiVersion) {
        Subscription s = find(shop, id).orElseThrow(() -> new IllegalArgumentException("No subscription " + id
                + " in " + shop));
        if (!updatedAt.isBefore(s.updatedAt)) {
            // A late delivery of an older event leaves the subscription as it is.
            s.status = status;
            s.updatedAt = updatedAt;
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode sub = body.putObject("app_subscription");
        sub.put("admin_graphql_api_id", s.gid())
                .put("name", s.name)
                .put("status", status)
                .put("admin_graphql_api_shop_id", "gid://shopify/Shop/" + Math.abs((long) shop.domain().hashCode()))
                .put("created_at", ISO.format(s.createdAt))
                .put("updated_at", ISO.format(updatedAt))
                .put("currency", s.currencyCode)
                .putNull("capped_amount")
                .put("price", s.amount)
                .put("interval", "every_30_days")
                .putNull("plan_handle");
        String eventId = UUID.randomUUID().toString();
        return new SimulatedWebhook(shop, "app_subscriptions/update", UUID.randomUUID().toString(), eventId,
                updatedAt, apiVersion, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Optional<Subscription> find(ShopId shop, String gid) {
        if (gid == null || !gid.startsWith("gid://shopify/AppSubscription/")) {
            return Optional.empty();
        }
        try {
            Subscription s = subscriptions.get(Long.parseLong(gid.substring(gid.lastIndexOf('/') + 1)));
            return s != null && s.shop.equals(shop) ? Optional.of(s) : Optional.empty();
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static ObjectNode node(Subscription s) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", s.gid()).put("name", s.name).put("status", s.status).put("test", s.test)
                .put("trialDays", s.trialDays).put("createdAt", ISO.format(s.createdAt))
                .put("currentPeriodEnd", s.currentPeriodEnd == null ? null : ISO.format(s.currentPeriodEnd))
                .put("returnUrl", s.returnUrl);
        return node;
    }

    private static ObjectNode failed(ObjectNode data, ObjectNode payload, String field, String message) {
        payload.putNull("appSubscription");
        payload.putNull("confirmationUrl");
        ObjectNode error = payload.putArray("userErrors").addObject();
        error.putArray("field").add(field);
        error.put("message", message);
        return data;
    }
}
