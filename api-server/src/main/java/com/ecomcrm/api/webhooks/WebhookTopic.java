package com.ecomcrm.api.webhooks;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The webhook topics the app subscribes to, and the body fields each must carry for the ingest to use it. A delivery
 * missing one of those is refused with the field named, rather than landed and failing later where nobody sees it.
 */
public enum WebhookTopic {
    CUSTOMERS_CREATE("customers/create", "id", "updated_at"),
    CUSTOMERS_UPDATE("customers/update", "id", "updated_at"),
    CUSTOMERS_DELETE("customers/delete", "id"),
    CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE("customers_email_marketing_consent/update", "customer_id"),
    ORDERS_CREATE("orders/create", "id", "updated_at"),
    ORDERS_UPDATED("orders/updated", "id", "updated_at"),
    ORDERS_PAID("orders/paid", "id", "updated_at"),
    ORDERS_CANCELLED("orders/cancelled", "id", "updated_at"),
    REFUNDS_CREATE("refunds/create", "id", "order_id"),
    CHECKOUTS_CREATE("checkouts/create", "token", "updated_at"),
    CHECKOUTS_UPDATE("checkouts/update", "token", "updated_at"),
    APP_UNINSTALLED("app/uninstalled"),
    SHOP_UPDATE("shop/update"),
    BULK_OPERATIONS_FINISH("bulk_operations/finish", "admin_graphql_api_id", "status"),
    APP_SUBSCRIPTIONS_UPDATE("app_subscriptions/update", "app_subscription"),
    CUSTOMERS_DATA_REQUEST("customers/data_request", "shop_domain", "customer"),
    CUSTOMERS_REDACT("customers/redact", "shop_domain", "customer"),
    SHOP_REDACT("shop/redact", "shop_domain");

    private final String topic;
    private final List<String> requiredFields;

    WebhookTopic(String topic, String... requiredFields) {
        this.topic = topic;
        this.requiredFields = List.of(requiredFields);
    }

    public String topic() {
        return topic;
    }

    public List<String> requiredFields() {
        return requiredFields;
    }

    public static Optional<WebhookTopic> fromHeader(String value) {
        return Arrays.stream(values()).filter(t -> t.topic.equals(value)).findFirst();
    }
}
