package com.ecomcrm.bench;

import com.ecomcrm.email.starter.StarterTemplates;
import com.ecomcrm.jobs.FlowKind;

import java.util.List;
import java.util.Map;

/**
 * The emails of the send-throughput stage: the flow library's starter template of every flow the stage switches on
 * ({@link StarterTemplates}: responsive layout, merge tags, product loop, unsubscribe link), and the merge data the
 * trigger evaluation stores for that flow. The send job rewrites every absolute link to a signed click URL and adds
 * the open pixel.
 */
final class BenchEmails {
    /** The flows the stage switches on, in the order customers are spread over them. */
    static final List<FlowKind> FLOWS = List.of(FlowKind.WELCOME, FlowKind.ABANDONED_CHECKOUT,
            FlowKind.POST_PURCHASE_THANK_YOU, FlowKind.WIN_BACK);

    /** Subject, HTML and text (null: the sender derives it from the HTML) of the flow's template. */
    record Template(String subject, String html, String text) {
    }

    /** The flow's starter template, as a merchant gets it from the flow library. */
    static Template template(FlowKind kind) {
        StarterTemplates.Starter starter = StarterTemplates.of(kind.key())
                .orElseThrow(() -> new IllegalStateException("No starter template for " + kind.key()));
        return new Template(starter.subject(), starter.bodyHtml(), null);
    }

    /** The merge data the trigger evaluation would have stored for one customer's send of {@code kind}. */
    static Map<String, Object> mergeData(FlowKind kind, String shopDomain, long customerId, String firstName,
                                         String lastName, String email) {
        List<Map<String, Object>> products = List.of(
                product(shopDomain, "Linen shirt", "linen-shirt", "49.00"),
                product(shopDomain, "Canvas tote", "canvas-tote", "19.00"),
                product(shopDomain, "Merino beanie", "merino-beanie", "29.00"));
        Map<String, Object> customer = Map.of("first_name", firstName, "last_name", lastName, "email", email);
        String total = (customerId % 90 + 10) + ".00";
        return switch (kind) {
            case ABANDONED_CHECKOUT -> Map.of("customer", customer, "recommended_products", products,
                    "checkout", Map.of("url", "https://" + shopDomain + "/checkouts/c" + customerId + "/recover",
                            "total_price", total, "currency", "EUR"));
            case POST_PURCHASE_THANK_YOU -> Map.of("customer", customer, "recommended_products", products,
                    "order", Map.of("name", "#" + (1000 + customerId % 100_000), "total_price", total,
                            "currency", "EUR"));
            case WIN_BACK -> Map.of("customer", customer, "recommended_products", products,
                    "segment", Map.of("key", "AT_RISK", "name", "At risk", "previous_key", "LOYAL",
                            "previous_name", "Loyal customers"));
            default -> Map.of("customer", customer, "recommended_products", products);
        };
    }

    private static Map<String, Object> product(String shopDomain, String title, String handle, String price) {
        return Map.of("title", title, "url", "https://" + shopDomain + "/products/" + handle, "price", price,
                "image_url", "https://cdn.example.com/" + handle + ".jpg");
    }

    private BenchEmails() {
    }
}
