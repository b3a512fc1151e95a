package com.ecomcrm.api.webhooks;

import com.ecomcrm.api.config.ShopifySettings;
import com.ecomcrm.api.shopify.AdminApiClient;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Makes a shop's webhook subscriptions (shop-specific, through the Admin API) exactly what the app needs: one
 * subscription per topic in {@link #TOPICS}, pointing at {@link ShopifySettings#webhookUrl()}, serialized with the
 * pinned API version. Idempotent: a second run finds nothing to do; after a reinstall, a new public URL or an API
 * version upgrade it fixes what changed. A subscription with the right version but an old URI is updated in place; one
 * with an old API version is deleted and created again, because a shop-specific subscription's payload version is the
 * version of the request that created it. Subscriptions of topics the app no longer wants, and duplicates, are
 * deleted. {@code webhookSubscriptions} lists only this app's subscriptions, so nothing of another app is touched.
 *
 * <p>Blocking (it uses {@link AdminApiClient}): run it on a worker thread.
 */
public final class WebhookRegistrar {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookRegistrar.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every topic the app handles except the compliance topics (customers/data_request, customers/redact,
     * shop/redact): Shopify does not let the Admin API create those; they are subscribed in the app's
     * {@code shopify.app.toml} ({@code compliance_topics}, shopify-platform.md 3.6 and 4.1).
     */
    public static final Set<WebhookTopic> TOPICS = topics();

    static final String LIST = """
            query webhookSubscriptions($after: String) {
              webhookSubscriptions(first: 250, after: $after) {
                nodes { id topic uri apiVersion { handle } }
                pageInfo { hasNextPage endCursor }
              }
            }""";
    static final String CREATE = """
            mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
              webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
                webhookSubscription { id topic uri }
                userErrors { field message }
              }
            }""";
    static final String UPDATE = """
            mutation webhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) {
              webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
                webhookSubscription { id topic uri }
                userErrors { field message }
              }
            }""";
    static final String DELETE = """
            mutation webhookSubscriptionDelete($id: ID!) {
              webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
            }""";

    /** What a reconciliation changed. */
    public record Reconciliation(List<WebhookTopic> created, List<WebhookTopic> updated, List<String> deleted,
                                 int unchanged) {
        public Reconciliation {
            created = List.copyOf(created);
            updated = List.copyOf(updated);
            deleted = List.copyOf(deleted);
        }

        public boolean changedNothing() {
            return created.isEmpty() && updated.isEmpty() && deleted.isEmpty();
        }
    }

    /** One existing subscription as listed. */
    record Subscription(String id, String topic, String uri, String apiVersion) {
    }

    private final HttpClient http;
    private final ShopifySettings shopify;

    public WebhookRegistrar(HttpClient http, ShopifySettings shopify) {
        this.http = requireNonNull(http, "http is null");
        this.shopify = requireNonNull(shopify, "shopify is null");
    }

    /** What the subscriptions point at; stored per shop, so a change of URL or version shows it must reconcile. */
    public String target() {
        return shopify.webhookUrl() + " @ " + shopify.apiVersion();
    }

    public Reconciliation reconcile(ShopId shop, String accessToken) {
        AdminApiClient admin = new AdminApiClient(http, shopify.graphqlUrl(), shop, accessToken);
        String uri = shopify.webhookUrl();
        String version = shopify.apiVersion();
        Map<WebhookTopic, List<Subscription>> byTopic = new EnumMap<>(WebhookTopic.class);
        List<String> deleted = new ArrayList<>();
        for (Subscription existing : list(admin)) {
            WebhookTopic topic = wanted(existing.topic());
            if (topic == null) {
                delete(admin, shop, existing);
                deleted.add(existing.id());
            }
            else {
                byTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(existing);
            }
        }
        List<WebhookTopic> created = new ArrayList<>();
        List<WebhookTopic> updated = new ArrayList<>();
        int unchanged = 0;
        for (WebhookTopic topic : TOPICS) {
            List<Subscription> existing = byTopic.getOrDefault(topic, List.of());
            Subscription keep = existing.stream()
                    .filter(s -> uri.equals(s.uri()) && version.equals(s.apiVersion())).findFirst()
                    .orElse(existing.stream().filter(s -> version.equals(s.apiVersion())).findFirst().orElse(null));
            for (Subscription other : existing) {
                if (other != keep) {
                    delete(admin, shop, other);
                    deleted.add(other.id());
                }
            }
            if (keep == null) {
                create(admin, shop, topic, uri);
                created.add(topic);
            }
            else if (!uri.equals(keep.uri())) {
                update(admin, shop, topic, keep, uri);
                updated.add(topic);
            }
            else {
                unchanged++;
            }
        }
        Reconciliation result = new Reconciliation(created, updated, deleted, unchanged);
        LOG.info("Webhooks of {} reconciled to {}: {} created, {} updated, {} deleted, {} unchanged", shop, target(),
                created.size(), updated.size(), deleted.size(), unchanged);
        return result;
    }

    private static List<Subscription> list(AdminApiClient admin) {
        List<Subscription> all = new ArrayList<>();
        String after = null;
        do {
            ObjectNode variables = JSON.createObjectNode();
            if (after == null) {
                variables.putNull("after");
            }
            else {
                variables.put("after", after);
            }
            JsonNode page = admin.graphql(LIST, variables).path("webhookSubscriptions");
            for (JsonNode node : page.path("nodes")) {
                all.add(new Subscription(node.path("id").asText(), node.path("topic").asText(),
                        node.path("uri").asText(null), node.path("apiVersion").path("handle").asText(null)));
            }
            after = page.path("pageInfo").path("hasNextPage").asBoolean() ? page.path("pageInfo").path("endCursor")
                    .asText(null) : null;
        }
        while (after != null);
        return all;
    }

    private static void create(AdminApiClient admin, ShopId shop, WebhookTopic topic, String uri) {
        ObjectNode variables = JSON.createObjectNode().put("topic", topic.name());
        variables.putObject("webhookSubscription").put("uri", uri).put("format", "JSON");
        JsonNode payload = admin.graphql(CREATE, variables).path("webhookSubscriptionCreate");
        JsonNode errors = payload.path("userErrors");
        if (errors.size() > 0) {
            // Another instance reconciling the same shop got there first: the subscription we want exists.
            if (errors.toString().contains("already been taken")) {
                return;
            }
            throw failed(shop, "create the " + topic.topic() + " subscription", errors);
        }
    }

    private static void update(AdminApiClient admin, ShopId shop, WebhookTopic topic, Subscription existing,
                               String uri) {
        ObjectNode variables = JSON.createObjectNode().put("id", existing.id());
        variables.putObject("webhookSubscription").put("uri", uri).put("format", "JSON");
        JsonNode errors = admin.graphql(UPDATE, variables).path("webhookSubscriptionUpdate").path("userErrors");
        if (errors.size() > 0) {
            throw failed(shop, "move the " + topic.topic() + " subscription to " + uri, errors);
        }
    }

    private static void delete(AdminApiClient admin, ShopId shop, Subscription existing) {
        JsonNode errors = admin.graphql(DELETE, JSON.createObjectNode().put("id", existing.id()))
                .path("webhookSubscriptionDelete").path("userErrors");
        if (errors.size() > 0) {
            throw failed(shop, "delete subscription " + existing.id() + " (" + existing.topic() + ")", errors);
        }
    }

    private static WebhookTopic wanted(String graphqlTopic) {
        return TOPICS.stream().filter(t -> t.name().equals(graphqlTopic)).findFirst().orElse(null);
    }

    private static DomainException failed(ShopId shop, String doing, JsonNode userErrors) {
        return new DomainException(ErrorCode.UNAVAILABLE, "Cannot " + doing + " for " + shop + ": " + userErrors);
    }

    private static Set<WebhookTopic> topics() {
        Set<WebhookTopic> topics = EnumSet.allOf(WebhookTopic.class);
        topics.removeAll(Arrays.asList(WebhookTopic.CUSTOMERS_DATA_REQUEST, WebhookTopic.CUSTOMERS_REDACT,
                WebhookTopic.SHOP_REDACT));
        return java.util.Collections.unmodifiableSet(topics);
    }
}
