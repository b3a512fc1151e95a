package com.ecomcrm.testing.shopify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * REST-shaped webhook bodies (API version {@value SimulatedShops#API_VERSION}) for the simulated data: numeric ids,
 * snake_case, money as two-decimal strings, timestamps with the shop's UTC offset as Shopify writes them
 * ({@code 2024-01-02T03:04:05-05:00}). Field order is fixed, so the bytes are a pure function of the input.
 *
 * <p>{@code *Create} bodies show the resource as it was when created ({@code updated_at = created_at}, an order
 * {@code paid}, not cancelled, no refunds; a customer's consent as first given); {@code *Update} bodies show it as it
 * is in the store now. Replaying creates and updates therefore ends in exactly the store's state.
 */
public final class WebhookPayloads {
    /** Shopify stamps payload times in the shop's time zone; the simulated shops are in New York. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("America/New_York");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DateTimeFormatter timestamps;

    public WebhookPayloads() {
        this(DEFAULT_ZONE);
    }

    public WebhookPayloads(ZoneId shopZone) {
        this.timestamps = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(requireNonNull(shopZone));
    }

    /** {@code customers/create}: the customer as created. */
    public byte[] customerCreate(SimulatedCustomer customer) {
        return bytes(customerNode(customer, true, true));
    }

    /** {@code customers/update}: the customer as it is in the store. */
    public byte[] customerUpdate(SimulatedCustomer customer) {
        return bytes(customerNode(customer, false, true));
    }

    /** {@code orders/create}: the order as placed (paid, open). */
    public byte[] orderCreate(SimulatedOrder order, SimulatedCustomer customer) {
        return bytes(orderNode(order, customer, true));
    }

    /** {@code orders/updated}: the order as it is in the store (cancelled, refunded, fulfilled...). */
    public byte[] orderUpdated(SimulatedOrder order, SimulatedCustomer customer) {
        return bytes(orderNode(order, customer, false));
    }

    /** {@code refunds/create}: the refund as created; its order is the one it belongs to. */
    public byte[] refundCreate(SimulatedRefund refund, SimulatedOrder order) {
        if (refund.orderId() != order.id()) {
            throw new IllegalArgumentException("Cannot write refund " + refund.id() + ": order " + order.id()
                    + " is not its order " + refund.orderId());
        }
        return bytes(refundNode(refund, order));
    }

    /**
     * A REST refund, as in {@code refunds/create} and in an order's {@code refunds}: the refunded line items (each
     * with its line item), one successful {@code refund} transaction for the whole amount, no order adjustments.
     */
    private ObjectNode refundNode(SimulatedRefund r, SimulatedOrder o) {
        String currency = o.currency();
        ObjectNode refund = JSON.createObjectNode();
        refund.put("id", r.id());
        refund.put("order_id", o.id());
        refund.put("created_at", time(r.createdAt()));
        refund.put("note", r.amount().compareTo(o.totalPrice()) == 0 ? "Simulated full refund"
                : "Simulated partial refund");
        refund.putNull("user_id");
        refund.put("processed_at", time(r.createdAt()));
        refund.put("restock", false);
        refund.putArray("duties");
        refund.put("admin_graphql_api_id", r.gid());
        ArrayNode refundLines = refund.putArray("refund_line_items");
        for (SimulatedRefund.Line rl : r.lines()) {
            SimulatedLine l = o.lines().stream().filter(x -> x.id() == rl.lineItemId()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Cannot write refund " + r.id() + ": line item "
                            + rl.lineItemId() + " is not in order " + o.name()));
            ObjectNode refundLine = refundLines.addObject();
            refundLine.put("id", rl.id());
            refundLine.put("quantity", rl.quantity());
            refundLine.put("line_item_id", rl.lineItemId());
            refundLine.putNull("location_id");
            refundLine.put("restock_type", "no_restock");
            refundLine.put("subtotal", rl.subtotal());
            refundLine.put("total_tax", BigDecimal.ZERO.setScale(2));
            refundLine.set("subtotal_set", priceSet(rl.subtotal(), currency));
            refundLine.set("total_tax_set", priceSet(BigDecimal.ZERO.setScale(2), currency));
            ObjectNode item = refundLine.putObject("line_item");
            item.put("id", l.id());
            item.put("variant_id", l.variantId());
            item.put("title", l.title());
            item.put("quantity", l.quantity());
            item.put("sku", l.sku());
            item.put("product_id", l.productId());
            item.put("price", amount(l.unitPrice()));
            item.set("price_set", priceSet(l.unitPrice(), currency));
            item.put("admin_graphql_api_id", l.gid());
        }
        ArrayNode transactions = refund.putArray("transactions");
        ObjectNode transaction = transactions.addObject();
        transaction.put("id", r.id() + 1);
        transaction.put("order_id", o.id());
        transaction.put("kind", "refund");
        transaction.put("gateway", "manual");
        transaction.put("status", "success");
        transaction.put("created_at", time(r.createdAt()));
        transaction.put("processed_at", time(r.createdAt()));
        transaction.put("amount", amount(r.amount()));
        transaction.put("currency", currency);
        transaction.put("admin_graphql_api_id", "gid://shopify/OrderTransaction/" + (r.id() + 1));
        refund.putArray("order_adjustments");
        return refund;
    }

    /** {@code checkouts/create}: the checkout as the buyer left it (not completed). */
    public byte[] checkoutCreate(SimulatedCheckout checkout, SimulatedCustomer customer, ShopIdentity shop) {
        return bytes(checkoutNode(checkout, customer, shop, true));
    }

    /** {@code checkouts/update}: the checkout as it is in the store (completed when its order was placed). */
    public byte[] checkoutUpdate(SimulatedCheckout checkout, SimulatedCustomer customer, ShopIdentity shop) {
        return bytes(checkoutNode(checkout, customer, shop, false));
    }

    /** What a checkout payload says about the shop it belongs to. */
    public record ShopIdentity(String domain) {
    }

    private ObjectNode checkoutNode(SimulatedCheckout c, SimulatedCustomer customer, ShopIdentity shop,
                                    boolean asCreated) {
        boolean completed = !asCreated && c.completedAt() != null;
        ObjectNode node = JSON.createObjectNode();
        node.put("id", c.id());
        node.put("token", c.token());
        node.put("cart_token", c.token().substring(0, 16));
        node.put("email", c.email());
        node.putNull("phone");
        node.put("gateway", completed ? "shopify_payments" : null);
        node.put("buyer_accepts_marketing", customer != null && customer.marketingState().equals("SUBSCRIBED"));
        node.put("created_at", time(c.createdAt()));
        node.put("updated_at", time(asCreated ? c.createdAt() : c.updatedAt()));
        node.put("completed_at", completed ? time(c.completedAt()) : null);
        node.putNull("closed_at");
        node.put("currency", c.currency());
        node.put("presentment_currency", c.currency());
        node.put("customer_locale", "en");
        node.put("name", "#" + c.id());
        node.put("source_name", "web");
        node.put("abandoned_checkout_url", c.recoveryUrl(shop.domain()));
        ArrayNode lines = node.putArray("line_items");
        for (SimulatedLine l : c.lines()) {
            ObjectNode line = lines.addObject();
            line.put("key", c.token() + "-" + l.variantId());
            line.put("product_id", l.productId());
            line.put("variant_id", l.variantId());
            line.put("sku", l.sku());
            line.put("title", l.title());
            line.put("variant_title", l.sku().substring(l.sku().lastIndexOf('-') + 1));
            line.put("quantity", l.quantity());
            line.put("price", amount(l.unitPrice()));
            line.put("line_price", amount(l.lineTotal()));
            line.put("vendor", "Simulated Goods");
        }
        node.putArray("discount_codes");
        node.putArray("tax_lines");
        node.putArray("shipping_lines");
        node.put("total_price", amount(c.totalPrice()));
        node.put("subtotal_price", amount(c.totalPrice()));
        node.put("total_line_items_price", amount(c.totalPrice()));
        node.put("total_tax", "0.00");
        node.put("total_discounts", "0.00");
        if (customer == null) {
            node.putNull("customer");
        }
        else {
            node.set("customer", customerNode(customer, false, false));
        }
        return node;
    }

    private ObjectNode customerNode(SimulatedCustomer c, boolean asCreated, boolean withAddresses) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", c.id());
        node.put("email", c.email());
        node.put("created_at", time(c.createdAt()));
        node.put("updated_at", time(asCreated ? c.createdAt() : c.updatedAt()));
        node.put("first_name", c.firstName());
        node.put("last_name", c.lastName());
        node.put("state", c.state().toLowerCase(Locale.ROOT));
        node.putNull("note");
        node.put("verified_email", true);
        node.putNull("multipass_identifier");
        node.put("tax_exempt", false);
        node.putNull("phone");
        ObjectNode consent = node.putObject("email_marketing_consent");
        boolean consentChangedLater = c.consentUpdatedAt() != null && c.consentUpdatedAt().isAfter(c.createdAt());
        if (asCreated && consentChangedLater) {
            // Only unsubscribes happen later in the simulation: at sign-up the customer was subscribed.
            consent.put("state", "subscribed");
            consent.put("opt_in_level", lower(c.marketingOptInLevel()));
            consent.put("consent_updated_at", time(c.createdAt()));
        }
        else {
            consent.put("state", lower(c.marketingState()));
            consent.put("opt_in_level", lower(c.marketingOptInLevel()));
            consent.put("consent_updated_at", time(c.consentUpdatedAt()));
        }
        node.putNull("sms_marketing_consent");
        node.put("tags", "");
        node.put("currency", "USD");
        node.putArray("tax_exemptions");
        node.put("admin_graphql_api_id", c.gid());
        if (withAddresses) {
            node.putArray("addresses");
        }
        return node;
    }

    private ObjectNode orderNode(SimulatedOrder o, SimulatedCustomer customer, boolean asCreated) {
        if (customer != null && customer.id() != o.customerId()) {
            throw new IllegalArgumentException("Cannot write order " + o.name() + ": customer " + customer.id()
                    + " is not its customer " + o.customerId());
        }
        boolean cancelled = !asCreated && o.isCancelled();
        boolean refunded = !asCreated && o.totalRefunded().signum() > 0;
        BigDecimal refundedAmount = refunded ? o.totalRefunded() : BigDecimal.ZERO;
        String currency = o.currency();
        ObjectNode node = JSON.createObjectNode();
        node.put("id", o.id());
        node.put("admin_graphql_api_id", o.gid());
        node.put("name", o.name());
        node.put("order_number", o.orderNumber());
        node.put("number", o.orderNumber() - 1000);
        node.put("email", customer == null ? null : customer.email());
        node.put("contact_email", customer == null ? null : customer.email());
        node.put("created_at", time(o.createdAt()));
        node.put("processed_at", time(o.processedAt()));
        node.put("updated_at", time(asCreated ? o.createdAt() : o.updatedAt()));
        node.put("cancelled_at", cancelled ? time(o.cancelledAt()) : null);
        node.put("cancel_reason", cancelled ? "customer" : null);
        node.putNull("closed_at");
        node.put("currency", currency);
        node.put("presentment_currency", currency);
        node.put("total_price", amount(o.totalPrice()));
        node.set("total_price_set", priceSet(o.totalPrice(), currency));
        node.put("subtotal_price", amount(o.totalPrice()));
        node.put("total_line_items_price", amount(o.totalPrice()));
        node.put("total_tax", "0.00");
        node.put("total_discounts", "0.00");
        BigDecimal current = o.totalPrice().subtract(refundedAmount);
        node.put("current_total_price", amount(cancelled ? BigDecimal.ZERO.setScale(2) : current));
        node.put("financial_status", asCreated ? "paid" : lower(o.financialStatus()));
        node.putNull("fulfillment_status");
        node.put("buyer_accepts_marketing", customer != null && customer.marketingState().equals("SUBSCRIBED"));
        node.put("tags", "");
        node.put("test", o.test());
        node.put("source_name", "web");
        if (customer == null) {
            node.putNull("customer");
        }
        else {
            node.set("customer", customerNode(customer, asCreated, false));
        }
        ArrayNode lines = node.putArray("line_items");
        for (SimulatedLine l : o.lines()) {
            ObjectNode line = lines.addObject();
            line.put("id", l.id());
            line.put("admin_graphql_api_id", l.gid());
            line.put("product_id", l.productId());
            line.put("variant_id", l.variantId());
            line.put("sku", l.sku());
            line.put("title", l.title());
            String variantTitle = l.sku().substring(l.sku().lastIndexOf('-') + 1);
            line.put("name", l.title() + " - " + variantTitle);
            line.put("variant_title", variantTitle);
            line.put("vendor", "Simulated Goods");
            line.put("quantity", l.quantity());
            line.put("current_quantity", cancelled ? 0 : l.quantity() - (refunded ? o.refundedQuantity(l.id()) : 0));
            line.put("price", amount(l.unitPrice()));
            line.set("price_set", priceSet(l.unitPrice(), currency));
            line.put("total_discount", "0.00");
            line.put("gift_card", false);
            line.put("taxable", true);
            line.put("requires_shipping", true);
            line.putNull("fulfillment_status");
            line.putArray("properties");
            line.putArray("tax_lines");
            line.putArray("discount_allocations");
        }
        ArrayNode refunds = node.putArray("refunds");
        if (!asCreated) {
            for (SimulatedRefund refund : o.refunds()) {
                refunds.add(refundNode(refund, o));
            }
        }
        return node;
    }

    private static ObjectNode priceSet(BigDecimal amount, String currency) {
        ObjectNode set = JSON.createObjectNode();
        set.putObject("shop_money").put("amount", amount(amount)).put("currency_code", currency);
        set.putObject("presentment_money").put("amount", amount(amount)).put("currency_code", currency);
        return set;
    }

    private String time(Instant instant) {
        return instant == null ? null : timestamps.format(instant);
    }

    private static String amount(BigDecimal value) {
        return BulkJsonlWriter.amount(value);
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize a webhook body", e);
        }
    }
}
