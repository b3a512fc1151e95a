package com.ecomcrm.pipelines;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.domain.ShopifyGid;
import com.ecomcrm.landing.IsoTimestamps;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingSource;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns one landed record into typed silver rows. Pure Java, no Spark, so every Shopify shape is unit-tested and the
 * same code runs on the executors.
 *
 * <p>Two shapes arrive: bulk lines are GraphQL-shaped (GID ids, camelCase, money under
 * {@code xxxSet.shopMoney.amount}, an order's line items as separate lines with {@code __parentId}); webhook bodies are
 * REST-shaped (numeric ids, snake_case, money as decimal strings). Both end up in the same rows. Enum-like strings
 * (customer state, consent state, financial status) are upper-cased, the GraphQL spelling, so both shapes agree.
 *
 * <p>Nothing here throws on bad input: a record that cannot be read becomes a {@link ParseResult.Reject} naming the
 * file, line and field, so one malformed delivery never stops the nightly run and is never silently dropped.
 */
public final class ShopifyRecordParser {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** Topics we receive but that carry nothing for the silver tables (yet); they are counted, not rejected. */
    private static final Set<String> IGNORED_WEBHOOK_TOPICS = Set.of(
            "customers_email_marketing_consent/update",
            "app/uninstalled", "shop/update", "bulk_operations/finish", "app_subscriptions/update",
            "customers/data_request", "customers/redact", "shop/redact");

    private ShopifyRecordParser() {
    }

    /** Parses one line of a landing file: first the envelope, then its body. */
    public static ParseResult parseLine(String file, long line, String jsonLine) {
        LandingEnvelope envelope;
        try {
            envelope = envelope(jsonLine);
        }
        catch (IOException | RuntimeException e) {
            return ParseResult.rejected(new ParseResult.Reject(null, file, line, null, "envelope",
                    "not a landing envelope: " + e.getMessage()));
        }
        return parse(envelope, file, line);
    }

    /**
     * The envelope of one landing line, read with Jackson's streaming parser: {@link LandingEnvelope#fromJsonLine}
     * builds a tree of the whole line first (the body string included), which cost about a third of the ingest's
     * parsing CPU. Same fields, same meaning: a missing required field, an unknown source or an invalid shop or
     * timestamp is an error; a non-string value reads as its text, as {@code JsonNode.asText()} does.
     */
    static LandingEnvelope envelope(String jsonLine) throws IOException {
        String source = null;
        String shop = null;
        String topic = null;
        String deliveryId = null;
        String receivedAt = null;
        String triggeredAt = null;
        String apiVersion = null;
        Long lineNumber = null;
        String body = null;
        try (JsonParser json = JSON.getFactory().createParser(jsonLine)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            for (JsonToken token = json.nextToken(); token == JsonToken.FIELD_NAME; token = json.nextToken()) {
                String name = json.currentName();
                JsonToken value = json.nextToken();
                switch (name) {
                    case "source" -> source = text(json, value);
                    case "shop" -> shop = text(json, value);
                    case "topic" -> topic = text(json, value);
                    case "delivery_id" -> deliveryId = text(json, value);
                    case "received_at" -> receivedAt = text(json, value);
                    case "triggered_at" -> triggeredAt = value == JsonToken.VALUE_NULL ? null : text(json, value);
                    case "api_version" -> apiVersion = value == JsonToken.VALUE_NULL ? null : text(json, value);
                    case "line" -> lineNumber = value == JsonToken.VALUE_NULL ? null : lineNumber(json, value);
                    case "body" -> body = text(json, value);
                    default -> json.skipChildren();
                }
            }
        }
        return new LandingEnvelope(
                LandingSource.fromFolderValue(required(source, "source")),
                shop(required(shop, "shop")),
                required(topic, "topic"),
                required(deliveryId, "delivery_id"),
                IsoTimestamps.instant(required(receivedAt, "received_at")),
                Optional.ofNullable(triggeredAt).map(Instant::parse),
                Optional.ofNullable(apiVersion),
                Optional.ofNullable(lineNumber),
                required(body, "body"));
    }

    /**
     * The shop of an envelope: every line of a landing file names the same one, so the checked {@link ShopId}s are
     * kept rather than matched against the domain pattern again on every line. Bounded; only valid ones are kept.
     */
    private static ShopId shop(String domain) {
        ShopId known = SHOPS.get(domain);
        if (known != null) {
            return known;
        }
        ShopId checked = ShopId.of(domain);
        if (SHOPS.size() >= MAX_SHOPS_KEPT) {
            SHOPS.clear();
        }
        SHOPS.put(domain, checked);
        return checked;
    }

    private static final int MAX_SHOPS_KEPT = 10_000;
    private static final Map<String, ShopId> SHOPS = new ConcurrentHashMap<>();

    /** A value's text as {@code JsonNode.asText()} gives it: an object or array reads as "" (and is skipped). */
    private static String text(JsonParser json, JsonToken value) throws IOException {
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            json.skipChildren();
            return "";
        }
        return json.getText();
    }

    private static long lineNumber(JsonParser json, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return json.getLongValue();
        }
        JsonNode node = JSON.readTree(json);
        return node.asLong(); // as before: a string of digits, or 0
    }

    private static String required(String value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return value;
    }

    /** Parses the body of one envelope. {@code file} and {@code line} are only used to name rejects. */
    public static ParseResult parse(LandingEnvelope envelope, String file, long line) {
        try {
            List<SilverRecord> records = envelope.source() == LandingSource.BULK
                    ? parseBulk(envelope)
                    : parseWebhook(envelope);
            return records == null
                    ? ParseResult.ignored(envelope, file, line)
                    : ParseResult.of(envelope, file, line, records);
        }
        catch (BadField e) {
            return ParseResult.rejected(new ParseResult.Reject(envelope.shop().domain(), file, line,
                    envelope.topic(), e.field, e.getMessage()));
        }
    }

    // ---------------------------------------------------------------- bulk (GraphQL shape)

    private static List<SilverRecord> parseBulk(LandingEnvelope envelope) {
        JsonNode node = readBody(envelope);
        // Dispatch on the GID type rather than on the topic: one orders bulk file holds both Order and LineItem lines.
        ShopifyGid id = gid(node, "id");
        String shop = envelope.shop().domain();
        String topic = envelope.topic();
        Instant landed = envelope.receivedAt();
        switch (id.type()) {
            case "Customer" -> {
                return List.of(new CustomerRow(shop, id.id(),
                        text(node, "email"), text(node, "firstName"), text(node, "lastName"),
                        upper(text(node, "state")),
                        upper(text(node.path("emailMarketingConsent"), "marketingState",
                                "emailMarketingConsent.marketingState")),
                        timestamp(node, "createdAt", false), timestamp(node, "updatedAt", true),
                        false, topic, landed));
            }
            case "Order" -> {
                Long customerId = optionalGid(node.path("customer"), "id", "customer.id");
                Instant updatedAt = timestamp(node, "updatedAt", true);
                String currency = text(node, "currencyCode");
                List<SilverRecord> rows = new ArrayList<>();
                rows.add(new OrderRow(shop, id.id(), customerId,
                        text(node, "name"),
                        timestamp(node, "createdAt", false), timestamp(node, "processedAt", false),
                        updatedAt, timestamp(node, "cancelledAt", false),
                        upper(text(node, "displayFinancialStatus")),
                        currency,
                        money(node.path("totalPriceSet").path("shopMoney"), "amount",
                                "totalPriceSet.shopMoney.amount", true),
                        orZero(money(node.path("totalRefundedSet").path("shopMoney"), "amount",
                                "totalRefundedSet.shopMoney.amount", false)),
                        bool(node, "test"), topic, landed));
                // Order.refunds is a list, not a connection, so a bulk query that asks for it gets it inline.
                JsonNode refunds = array(node, "refunds");
                for (int r = 0; r < refunds.size(); r++) {
                    rows.addAll(bulkRefund(shop, refunds.get(r), "refunds[" + r + "].", id.id(), customerId, currency,
                            updatedAt, topic, landed));
                }
                return rows;
            }
            case "LineItem" -> {
                ShopifyGid parent = gid(node, "__parentId");
                if (!parent.type().equals("Order")) {
                    throw new BadField("__parentId", "a line item's parent must be an Order, not " + parent.type());
                }
                return List.of(new OrderLineRow(shop, parent.id(), id.id(),
                        optionalGid(node.path("product"), "id", "product.id"),
                        optionalGid(node.path("variant"), "id", "variant.id"),
                        text(node, "sku"), text(node, "title"), integer(node, "quantity"),
                        money(node.path("originalUnitPriceSet").path("shopMoney"), "amount",
                                "originalUnitPriceSet.shopMoney.amount", false),
                        null));
            }
            case "AbandonedCheckout" -> {
                String url = text(node, "abandonedCheckoutUrl");
                JsonNode total = node.path("totalPriceSet").path("shopMoney");
                return List.of(new CheckoutRow(shop, checkoutToken(url),
                        optionalGid(node.path("customer"), "id", "customer.id"),
                        text(node.path("customer"), "email", "customer.email"),
                        timestamp(node, "createdAt", false), timestamp(node, "updatedAt", true),
                        timestamp(node, "completedAt", false),
                        money(total, "amount", "totalPriceSet.shopMoney.amount", false),
                        text(total, "currencyCode", "totalPriceSet.shopMoney.currencyCode")));
            }
            default -> {
                return null; // another nested connection we did not ask for: nothing to store
            }
        }
    }

    /**
     * The checkout token of a recovery URL ({@code https://shop/.../checkouts/<token>/recover?key=...}): the GraphQL
     * object has no token field, and the webhooks key checkouts by it.
     */
    static String checkoutToken(String recoveryUrl) {
        if (recoveryUrl == null) {
            throw new BadField("abandonedCheckoutUrl", "missing");
        }
        java.util.regex.Matcher match = CHECKOUT_TOKEN.matcher(recoveryUrl);
        if (!match.find()) {
            throw new BadField("abandonedCheckoutUrl", "has no /checkouts/<token>/ segment");
        }
        return match.group(1);
    }

    private static final java.util.regex.Pattern CHECKOUT_TOKEN =
            java.util.regex.Pattern.compile("/checkouts/(?:ac/)?([A-Za-z0-9_-]+)/recover");

    // ---------------------------------------------------------------- webhooks (REST shape)

    private static List<SilverRecord> parseWebhook(LandingEnvelope envelope) {
        String topic = envelope.topic();
        if (IGNORED_WEBHOOK_TOPICS.contains(topic)) {
            return null;
        }
        String shop = envelope.shop().domain();
        Instant landed = envelope.receivedAt();
        switch (topic) {
            case "customers/create", "customers/update" -> {
                JsonNode node = readBody(envelope);
                return List.of(new CustomerRow(shop, numericId(node, "id"),
                        text(node, "email"), text(node, "first_name"), text(node, "last_name"),
                        upper(text(node, "state")),
                        upper(text(node.path("email_marketing_consent"), "state", "email_marketing_consent.state")),
                        timestamp(node, "created_at", false), timestamp(node, "updated_at", true),
                        false, topic, landed));
            }
            case "customers/delete" -> {
                JsonNode node = readBody(envelope);
                // The delete payload has no updated_at; the moment Shopify sent it orders it against updates.
                Instant deletedAt = envelope.triggeredAt().orElse(envelope.receivedAt());
                return List.of(CustomerRow.tombstone(shop, numericId(node, "id"), deletedAt, topic, landed));
            }
            case "orders/create", "orders/updated", "orders/paid", "orders/cancelled" -> {
                return webhookOrder(envelope, readBody(envelope));
            }
            case "refunds/create" -> {
                JsonNode node = readBody(envelope);
                Instant createdAt = timestamp(node, "created_at", false);
                // The REST refund has no updated_at. Created refunds only settle (which updates the order, whose
                // payload then wins); created_at, or else when Shopify sent it, orders this version before those.
                Instant version = createdAt != null ? createdAt : envelope.triggeredAt().orElse(landed);
                JsonNode transactions = array(node, "transactions");
                String currency = transactions.size() == 0 ? null : text(transactions.get(0), "currency",
                        "transactions[0].currency");
                return restRefund(shop, node, "", numericId(node, "order_id"), null, currency, version, topic, landed);
            }
            case "checkouts/create", "checkouts/update" -> {
                JsonNode node = readBody(envelope);
                String token = text(node, "token");
                if (token == null || token.isBlank()) {
                    throw new BadField("token", "missing");
                }
                return List.of(new CheckoutRow(shop, token,
                        optionalNumericId(node.path("customer"), "id", "customer.id"),
                        text(node, "email"),
                        timestamp(node, "created_at", false), timestamp(node, "updated_at", true),
                        timestamp(node, "completed_at", false),
                        money(node, "total_price", "total_price", false),
                        text(node, "currency")));
            }
            default -> {
                return null;
            }
        }
    }

    private static List<SilverRecord> webhookOrder(LandingEnvelope envelope, JsonNode node) {
        String shop = envelope.shop().domain();
        long orderId = numericId(node, "id");
        Instant updatedAt = timestamp(node, "updated_at", true);
        Long customerId = optionalNumericId(node.path("customer"), "id", "customer.id");
        List<SilverRecord> rows = new ArrayList<>();
        rows.add(new OrderRow(shop, orderId,
                customerId,
                text(node, "name"),
                timestamp(node, "created_at", false), timestamp(node, "processed_at", false),
                updatedAt, timestamp(node, "cancelled_at", false),
                upper(text(node, "financial_status")),
                text(node, "currency"),
                money(node, "total_price", "total_price", true),
                refundedAmount(node),
                bool(node, "test"), envelope.topic(), envelope.receivedAt()));
        JsonNode lines = node.path("line_items");
        if (!lines.isMissingNode() && !lines.isNull() && !lines.isArray()) {
            throw new BadField("line_items", "not an array");
        }
        for (int i = 0; i < lines.size(); i++) {
            JsonNode item = lines.get(i);
            String at = "line_items[" + i + "].";
            rows.add(new OrderLineRow(shop, orderId, numericId(item, "id", at + "id"),
                    optionalNumericId(item, "product_id", at + "product_id"),
                    optionalNumericId(item, "variant_id", at + "variant_id"),
                    text(item, "sku"), text(item, "title"), integer(item, "quantity", at + "quantity"),
                    money(item, "price", at + "price", false),
                    updatedAt));
        }
        JsonNode refunds = array(node, "refunds");
        for (int r = 0; r < refunds.size(); r++) {
            rows.addAll(restRefund(shop, refunds.get(r), "refunds[" + r + "].", orderId, customerId,
                    text(node, "currency"), updatedAt, envelope.topic(), envelope.receivedAt()));
        }
        return rows;
    }

    /**
     * A REST refund (a refunds/create body, or one of an order's {@code refunds}) and its refund line items.
     * {@code at} prefixes the field names of rejects; {@code version} becomes updated_at.
     */
    private static List<SilverRecord> restRefund(String shop, JsonNode refund, String at, long orderId,
                                                 Long customerId, String currency, Instant version, String topic,
                                                 Instant landed) {
        if (!refund.isObject()) {
            throw new BadField(at.isEmpty() ? "body" : at.substring(0, at.length() - 1), "not an object");
        }
        long refundId = numericId(refund, "id", at + "id");
        List<SilverRecord> rows = new ArrayList<>();
        rows.add(new RefundRow(shop, refundId, orderId, customerId,
                timestamp(refund, "created_at", false), timestamp(refund, "processed_at", false),
                refundAmount(refund, at), currency, version, topic, landed));
        JsonNode lines = array(refund, "refund_line_items", at + "refund_line_items");
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            String lineAt = at + "refund_line_items[" + i + "].";
            Long lineItemId = optionalNumericId(line, "line_item_id", lineAt + "line_item_id");
            if (lineItemId == null) {
                lineItemId = numericId(line.path("line_item"), "id", lineAt + "line_item.id");
            }
            BigDecimal subtotal = money(line.path("subtotal_set").path("shop_money"), "amount",
                    lineAt + "subtotal_set.shop_money.amount", false);
            rows.add(new RefundLineRow(shop, refundId, lineItemId, orderId,
                    optionalNumericId(line, "id", lineAt + "id"), integer(line, "quantity", lineAt + "quantity"),
                    subtotal != null ? subtotal : money(line, "subtotal", lineAt + "subtotal", false), version));
        }
        return rows;
    }

    /**
     * A GraphQL refund inside a bulk order line ({@code Order.refunds} is a list field, so its refunds are inline).
     * Its version is the order's updatedAt, as for the refunds inside a webhook order. The app's bulk query cannot
     * ask for a refund's line items: {@code refundLineItems} is a connection, and Shopify refuses a connection inside
     * a list field in a bulk query, so bulk refunds bring no refund lines (webhooks do, and so do the refunds/create
     * bodies the API lands under {@code source=admin_api} after the import). Refund line items given inline
     * ({@code edges/node} or {@code nodes}, as an ordinary paged GraphQL query returns them) are still read.
     */
    private static List<SilverRecord> bulkRefund(String shop, JsonNode refund, String at, long orderId,
                                                 Long customerId, String orderCurrency, Instant orderUpdatedAt,
                                                 String topic, Instant landed) {
        ShopifyGid refundId = gidAt(refund, "id", at + "id");
        if (!refundId.type().equals("Refund")) {
            throw new BadField(at + "id", "an order's refund must be a Refund, not " + refundId.type());
        }
        JsonNode total = refund.path("totalRefundedSet").path("shopMoney");
        String currency = text(total, "currencyCode", at + "totalRefundedSet.shopMoney.currencyCode");
        List<SilverRecord> rows = new ArrayList<>();
        rows.add(new RefundRow(shop, refundId.id(), orderId, customerId, timestamp(refund, "createdAt", false), null,
                money(total, "amount", at + "totalRefundedSet.shopMoney.amount", true),
                currency != null ? currency : orderCurrency, orderUpdatedAt, topic, landed));
        JsonNode connection = refund.path("refundLineItems");
        List<JsonNode> lines = new ArrayList<>();
        array(connection, "nodes", at + "refundLineItems.nodes").forEach(lines::add);
        array(connection, "edges", at + "refundLineItems.edges").forEach(edge -> lines.add(edge.path("node")));
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            String lineAt = at + "refundLineItems[" + i + "].";
            Long refundLineId = optionalGid(line, "id", lineAt + "id");
            long lineItemId = gidAt(line.path("lineItem"), "id", lineAt + "lineItem.id").id();
            rows.add(new RefundLineRow(shop, refundId.id(), lineItemId, orderId, refundLineId, integer(line, "quantity", lineAt + "quantity"),
                    money(line.path("subtotalSet").path("shopMoney"), "amount",
                            lineAt + "subtotalSet.shopMoney.amount", false),
                    orderUpdatedAt));
        }
        return rows;
    }

    /**
     * A REST order has no total_refunded field: it is the sum of the successful refund transactions of its
     * {@code refunds}. Recomputed from the whole array each time, so it is idempotent.
     */
    private static BigDecimal refundedAmount(JsonNode order) {
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        JsonNode refunds = array(order, "refunds");
        for (int r = 0; r < refunds.size(); r++) {
            total = total.add(refundAmount(refunds.get(r), "refunds[" + r + "]."));
        }
        return total;
    }

    /**
     * The money of one REST refund: its successful refund transactions. The one definition for both
     * silver.orders.total_refunded and silver.refunds.amount, so net revenue reads the same from either table.
     */
    private static BigDecimal refundAmount(JsonNode refund, String at) {
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        JsonNode transactions = array(refund, "transactions", at + "transactions");
        for (int t = 0; t < transactions.size(); t++) {
            JsonNode tx = transactions.get(t);
            String kind = text(tx, "kind");
            String status = text(tx, "status");
            if ("refund".equalsIgnoreCase(kind) && (status == null || "success".equalsIgnoreCase(status))) {
                BigDecimal amount = money(tx, "amount", at + "transactions[" + t + "].amount", false);
                if (amount != null) {
                    total = total.add(amount);
                }
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- field readers

    private static JsonNode readBody(LandingEnvelope envelope) {
        JsonNode node;
        try {
            node = JSON.readTree(envelope.body());
        }
        catch (JsonProcessingException e) {
            throw new BadField("body", "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new BadField("body", "not a JSON object");
        }
        return node;
    }

    private static String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    private static String text(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new BadField(path, "not a scalar value");
        }
        return value.asText();
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new BadField(field, "not a boolean");
        }
        return value.booleanValue();
    }

    private static Integer integer(JsonNode node, String field) {
        return integer(node, field, field);
    }

    private static Integer integer(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new BadField(path, "not a whole number: " + shown(value));
        }
        return value.intValue();
    }

    /** An optional JSON array field: empty when missing or null, a reject when it is something else. */
    private static JsonNode array(JsonNode node, String field) {
        return array(node, field, field);
    }

    private static JsonNode array(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return JSON.createArrayNode();
        }
        if (!value.isArray()) {
            throw new BadField(path, "not an array");
        }
        return value;
    }

    private static ShopifyGid gidAt(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new BadField(path, "missing or not a string");
        }
        try {
            return parseGid(value.asText());
        }
        catch (DomainException e) {
            throw new BadField(path, e.getMessage());
        }
    }

    private static ShopifyGid gid(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new BadField(field, "missing or not a string");
        }
        try {
            return parseGid(value.asText());
        }
        catch (DomainException e) {
            throw new BadField(field, e.getMessage());
        }
    }

    private static Long optionalGid(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            return parseGid(value.asText()).id();
        }
        catch (DomainException e) {
            throw new BadField(path, e.getMessage());
        }
    }

    /**
     * {@link ShopifyGid#parse}, without its regular expression for the plain shape every bulk line is full of
     * ({@code gid://shopify/Order/123}); anything else (a query string, a bad id) goes to {@code parse} itself, so
     * what is accepted and the error given stay its own.
     */
    static ShopifyGid parseGid(String value) {
        if (value != null && value.startsWith(GID_PREFIX)) {
            int slash = value.indexOf('/', GID_PREFIX.length());
            int digits = value.length() - slash - 1;
            if (slash > GID_PREFIX.length() && digits >= 1 && digits <= 18
                    && letters(value, GID_PREFIX.length(), slash)) {
                long id = 0;
                for (int i = slash + 1; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c < '0' || c > '9') {
                        return ShopifyGid.parse(value);
                    }
                    id = id * 10 + (c - '0');
                }
                if (id > 0) {
                    return new ShopifyGid(gidType(value, GID_PREFIX.length(), slash), id);
                }
            }
        }
        return ShopifyGid.parse(value);
    }

    private static final String GID_PREFIX = "gid://shopify/";
    private static final List<String> COMMON_GID_TYPES = List.of("Order", "LineItem", "Customer", "Refund",
            "Product", "ProductVariant", "AbandonedCheckout", "RefundLineItem", "BulkOperation");

    private static boolean letters(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }

    /** The type, shared for the usual ones rather than a new String per id. */
    private static String gidType(String value, int from, int to) {
        for (String type : COMMON_GID_TYPES) {
            if (type.length() == to - from && value.startsWith(type, from)) {
                return type;
            }
        }
        return value.substring(from, to);
    }

    private static long numericId(JsonNode node, String field) {
        return numericId(node, field, field);
    }

    private static long numericId(JsonNode node, String field, String path) {
        Long id = optionalNumericId(node, field, path);
        if (id == null) {
            throw new BadField(path, "missing");
        }
        return id;
    }

    /** A REST id: a JSON number, or (some payloads, some API versions) a string of digits. */
    private static Long optionalNumericId(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        long id;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            id = value.longValue();
        }
        else if (value.isTextual() && value.asText().matches("[0-9]{1,18}")) {
            id = Long.parseLong(value.asText());
        }
        else {
            throw new BadField(path, "not a numeric id: " + shown(value));
        }
        if (id <= 0) {
            throw new BadField(path, "not a positive id: " + id);
        }
        return id;
    }

    private static Instant timestamp(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new BadField(field, "missing");
            }
            return null;
        }
        try {
            // Shopify sends offsets (REST: -05:00, GraphQL: Z); the tables hold UTC instants.
            return IsoTimestamps.offsetDateTime(value.asText());
        }
        catch (DateTimeParseException e) {
            throw new BadField(field, "not an ISO-8601 timestamp: " + shown(value));
        }
    }

    /**
     * An exact amount for decimal(18,2). Shopify sends money as decimal strings; anything with more than two
     * decimals (e.g. a three-decimal currency) is refused rather than rounded, since the tables promise exact money.
     */
    private static BigDecimal money(JsonNode node, String field, String path, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new BadField(path, "missing");
            }
            return null;
        }
        BigDecimal amount;
        try {
            amount = value.isNumber() ? value.decimalValue() : new BigDecimal(value.asText().trim());
        }
        catch (NumberFormatException e) {
            throw new BadField(path, "not a decimal amount: " + shown(value));
        }
        try {
            amount = amount.setScale(2, RoundingMode.UNNECESSARY);
        }
        catch (ArithmeticException e) {
            throw new BadField(path, "more than 2 decimals cannot be stored exactly: " + shown(value));
        }
        if (amount.precision() > 18) {
            throw new BadField(path, "too large for decimal(18,2): " + shown(value));
        }
        return amount;
    }

    private static BigDecimal orZero(BigDecimal amount) {
        return amount == null ? BigDecimal.ZERO.setScale(2) : amount;
    }

    private static String shown(JsonNode value) {
        String text = value.toString();
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    /** A field that cannot be read; becomes a reject naming the field. Never escapes this class. */
    private static final class BadField extends RuntimeException {
        private final String field;

        BadField(String field, String reason) {
            super("field '" + field + "': " + reason, null, false, false);
            this.field = field;
        }
    }
}
