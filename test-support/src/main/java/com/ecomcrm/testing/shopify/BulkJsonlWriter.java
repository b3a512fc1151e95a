package com.ecomcrm.testing.shopify;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes a store as Shopify writes the result of the app's two bulk queries ({@code BulkQueries.CUSTOMERS} and
 * {@code BulkQueries.ORDERS} in api-server), without grouping: one JSON object per line, fields in the order the query
 * selects them, every line ending in {@code \n}, UTF-8. An order's line items are separate lines right after it, each
 * ending with {@code "__parentId"} = the order's GID. Its refunds ({@code Order.refunds}, a list field) are inline in
 * the order's line, {@code []} when there are none; their refund line items are a connection, which Shopify refuses
 * inside a list field in a bulk query, so they are not in the file. Money amounts are strings with two decimals ({@code "12.30"}),
 * timestamps ISO-8601 UTC to the second ({@code "2024-01-02T03:04:05Z"}). The output is a pure function of the store.
 */
public final class BulkJsonlWriter {
    /** The counts a {@code BulkOperation} reports for a finished file. */
    public record BulkFile(long objectCount, long rootObjectCount, long fileSize) {
    }

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private static final JsonFactory JSON = new JsonFactory();

    private BulkJsonlWriter() {
    }

    public static BulkFile write(SimulatedStore store, BulkObjectType type, OutputStream out) {
        return switch (type) {
            case CUSTOMERS -> writeCustomers(store, out);
            case ORDERS -> writeOrders(store, out);
            case ABANDONED_CHECKOUTS -> writeAbandonedCheckouts(store, out);
        };
    }

    public static byte[] toBytes(SimulatedStore store, BulkObjectType type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(store, type, out);
        return out.toByteArray();
    }

    public static BulkFile writeCustomers(SimulatedStore store, OutputStream out) {
        CountingStream counted = new CountingStream(out);
        long objects = 0;
        try (JsonGenerator json = generator(counted)) {
            for (SimulatedCustomer c : store.customers()) {
                json.writeStartObject();
                json.writeStringField("id", c.gid());
                json.writeStringField("email", c.email());
                json.writeStringField("firstName", c.firstName());
                json.writeStringField("lastName", c.lastName());
                json.writeStringField("state", c.state());
                json.writeStringField("createdAt", timestamp(c.createdAt()));
                json.writeStringField("updatedAt", timestamp(c.updatedAt()));
                json.writeObjectFieldStart("emailMarketingConsent");
                json.writeStringField("marketingState", c.marketingState());
                json.writeStringField("marketingOptInLevel", c.marketingOptInLevel());
                json.writeStringField("consentUpdatedAt", timestamp(c.consentUpdatedAt()));
                json.writeEndObject();
                json.writeEndObject();
                json.writeRaw('\n');
                objects++;
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write the customers JSONL of " + store.shop(), e);
        }
        return new BulkFile(objects, objects, counted.count);
    }

    public static BulkFile writeOrders(SimulatedStore store, OutputStream out) {
        CountingStream counted = new CountingStream(out);
        long objects = 0;
        long roots = 0;
        try (JsonGenerator json = generator(counted)) {
            for (SimulatedOrder o : store.orders()) {
                json.writeStartObject();
                json.writeStringField("id", o.gid());
                json.writeStringField("name", o.name());
                json.writeStringField("createdAt", timestamp(o.createdAt()));
                json.writeStringField("processedAt", timestamp(o.processedAt()));
                json.writeStringField("updatedAt", timestamp(o.updatedAt()));
                json.writeStringField("cancelledAt", timestamp(o.cancelledAt()));
                json.writeStringField("displayFinancialStatus", o.financialStatus());
                json.writeBooleanField("test", o.test());
                json.writeStringField("currencyCode", o.currency());
                money(json, "totalPriceSet", o.totalPrice(), o.currency());
                money(json, "totalRefundedSet", o.totalRefunded(), o.currency());
                // Order.refunds is a list, not a connection: it stays inline, an empty array when nothing was refunded.
                json.writeArrayFieldStart("refunds");
                for (SimulatedRefund r : o.refunds()) {
                    json.writeStartObject();
                    json.writeStringField("id", r.gid());
                    json.writeStringField("createdAt", timestamp(r.createdAt()));
                    money(json, "totalRefundedSet", r.amount(), o.currency());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeObjectFieldStart("customer");
                json.writeStringField("id", o.customerGid());
                json.writeEndObject();
                json.writeEndObject();
                json.writeRaw('\n');
                roots++;
                objects++;
                for (SimulatedLine l : o.lines()) {
                    json.writeStartObject();
                    json.writeStringField("id", l.gid());
                    json.writeStringField("sku", l.sku());
                    json.writeStringField("title", l.title());
                    json.writeNumberField("quantity", l.quantity());
                    json.writeObjectFieldStart("product");
                    json.writeStringField("id", l.productGid());
                    json.writeEndObject();
                    json.writeObjectFieldStart("variant");
                    json.writeStringField("id", l.variantGid());
                    json.writeEndObject();
                    money(json, "originalUnitPriceSet", l.unitPrice(), o.currency());
                    json.writeStringField("__parentId", o.gid());
                    json.writeEndObject();
                    json.writeRaw('\n');
                    objects++;
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write the orders JSONL of " + store.shop(), e);
        }
        return new BulkFile(objects, roots, counted.count);
    }

    /** {@code abandonedCheckouts}: the checkouts never completed, with their buyer and total. */
    public static BulkFile writeAbandonedCheckouts(SimulatedStore store, OutputStream out) {
        CountingStream counted = new CountingStream(out);
        long objects = 0;
        try (JsonGenerator json = generator(counted)) {
            for (SimulatedCheckout c : store.abandonedCheckouts()) {
                json.writeStartObject();
                json.writeStringField("id", c.gid());
                json.writeStringField("abandonedCheckoutUrl", c.recoveryUrl(store.shop().domain()));
                json.writeStringField("createdAt", timestamp(c.createdAt()));
                json.writeStringField("updatedAt", timestamp(c.updatedAt()));
                json.writeStringField("completedAt", timestamp(c.completedAt()));
                money(json, "totalPriceSet", c.totalPrice(), c.currency());
                json.writeObjectFieldStart("customer");
                json.writeStringField("id", c.customerGid());
                json.writeStringField("email", c.email());
                json.writeEndObject();
                json.writeEndObject();
                json.writeRaw('\n');
                objects++;
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write the abandoned checkouts JSONL of " + store.shop(), e);
        }
        return new BulkFile(objects, objects, counted.count);
    }

    private static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.setRootValueSeparator(null);
        return json;
    }

    private static void money(JsonGenerator json, String field, BigDecimal amount, String currency)
            throws IOException {
        json.writeObjectFieldStart(field);
        json.writeObjectFieldStart("shopMoney");
        json.writeStringField("amount", amount(amount));
        json.writeStringField("currencyCode", currency);
        json.writeEndObject();
        json.writeEndObject();
    }

    /** {@code 12.30}: always two decimals, never exponent notation. */
    static String amount(BigDecimal amount) {
        return amount.setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString();
    }

    /** ISO-8601 UTC to the second, or null. */
    static String timestamp(Instant instant) {
        return instant == null ? null : TIMESTAMP.format(instant);
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
