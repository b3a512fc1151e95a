package com.ecomcrm.landing;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One landed record: what arrived, for which shop, how, and when. The body is kept as the exact text that arrived
 * (a JSON string field, so a pretty-printed body still fits on one line and nothing is re-encoded); parsing it is the
 * ingest job's business.
 *
 * <p>Wire form, one per line:
 * <pre>{"source":"webhook","shop":"a.myshopify.com","topic":"orders/create","delivery_id":"...",
 *  "received_at":"2026-11-24T10:00:00Z","triggered_at":"...","api_version":"2026-07","line":null,"body":"{...}"}</pre>
 *
 * @param topic the webhook topic ({@code orders/create}), for bulk lines {@code bulk/<query>} ({@code bulk/orders}),
 *              for tracking events {@code email/open|click|unsubscribe}; for Admin API data the webhook topic
 *              whose shape the body has ({@code refunds/create})
 * @param deliveryId the webhook id, for bulk lines the bulk operation's GID, for tracking events the event id, for
 *                   Admin API data the object's GID
 * @param triggeredAt Shopify's {@code X-Shopify-Triggered-At}, when known
 * @param apiVersion the API version that serialised the body, when known
 * @param line the 1-based line number within the bulk result file; absent for webhooks
 */
public record LandingEnvelope(
        LandingSource source,
        ShopId shop,
        String topic,
        String deliveryId,
        Instant receivedAt,
        Optional<Instant> triggeredAt,
        Optional<String> apiVersion,
        Optional<Long> line,
        String body) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();
    /**
     * For {@link #toJsonLineBytes()}: characters outside the BMP (emoji) written as themselves, as the String form
     * does, rather than as two {@code \\u} escapes, so both forms are the same bytes.
     */
    private static final JsonFactory UTF8_FACTORY = JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

    public LandingEnvelope {
        requireNonNull(source, "source is null");
        requireNonNull(shop, "shop is null");
        requireNonNull(topic, "topic is null");
        requireNonNull(deliveryId, "deliveryId is null");
        requireNonNull(receivedAt, "receivedAt is null");
        requireNonNull(triggeredAt, "triggeredAt is null");
        requireNonNull(apiVersion, "apiVersion is null");
        requireNonNull(line, "line is null");
        requireNonNull(body, "body is null");
    }

    public static LandingEnvelope webhook(ShopId shop, String topic, String webhookId, Instant receivedAt,
                                          Optional<Instant> triggeredAt, Optional<String> apiVersion, String body) {
        return new LandingEnvelope(LandingSource.WEBHOOK, shop, topic, webhookId, receivedAt, triggeredAt, apiVersion,
                Optional.empty(), body);
    }

    /**
     * An email tracking event: {@code topic} {@code email/open|click|unsubscribe}, {@code eventId} its id, the body
     * the event's JSON.
     */
    public static LandingEnvelope tracking(ShopId shop, String topic, String eventId, Instant receivedAt,
                                           String body) {
        return new LandingEnvelope(LandingSource.TRACKING, shop, topic, eventId, receivedAt, Optional.empty(),
                Optional.empty(), Optional.empty(), body);
    }

    /**
     * Data read from the Admin API, in the shape of the webhook {@code topic} (a {@code refunds/create} body for a
     * refund fetched after the initial import); {@code objectGid} is the object's GID, {@code apiVersion} the version
     * that answered.
     */
    public static LandingEnvelope adminApi(ShopId shop, String topic, String objectGid, Instant receivedAt,
                                           Optional<String> apiVersion, String body) {
        return new LandingEnvelope(LandingSource.ADMIN_API, shop, topic, objectGid, receivedAt, Optional.empty(),
                apiVersion, Optional.empty(), body);
    }

    public static LandingEnvelope bulkLine(ShopId shop, String topic, String bulkOperationId, Instant receivedAt,
                                           long line, String body) {
        return new LandingEnvelope(LandingSource.BULK, shop, topic, bulkOperationId, receivedAt, Optional.empty(),
                Optional.empty(), Optional.of(line), body);
    }

    /** The envelope as one JSON line, without the trailing newline. */
    public String toJsonLine() {
        StringWriter out = new StringWriter(body.length() + 256);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            write(json);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * The same line as {@link #toJsonLine()}, in UTF-8 and with its trailing newline: what the landing zone appends,
     * encoded straight to bytes instead of through a String and a copy.
     */
    public byte[] toJsonLineBytes() {
        ByteArrayBuilder out = new ByteArrayBuilder(body.length() + 256);
        try (JsonGenerator json = UTF8_FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            write(json);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.append('\n');
        return out.toByteArray();
    }

    private void write(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("source", source.folderValue());
        json.writeStringField("shop", shop.domain());
        json.writeStringField("topic", topic);
        json.writeStringField("delivery_id", deliveryId);
        json.writeStringField("received_at", receivedAt.toString());
        json.writeStringField("triggered_at", triggeredAt.map(Instant::toString).orElse(null));
        json.writeStringField("api_version", apiVersion.orElse(null));
        if (line.isPresent()) {
            json.writeNumberField("line", line.get());
        }
        else {
            json.writeNullField("line");
        }
        json.writeStringField("body", body);
        json.writeEndObject();
    }

    /** Reads a line written by {@link #toJsonLine()}. */
    public static LandingEnvelope fromJsonLine(String jsonLine) {
        try {
            JsonNode node = JSON.readTree(jsonLine);
            return new LandingEnvelope(
                    LandingSource.fromFolderValue(node.get("source").asText()),
                    ShopId.of(node.get("shop").asText()),
                    node.get("topic").asText(),
                    node.get("delivery_id").asText(),
                    IsoTimestamps.instant(node.get("received_at").asText()),
                    optionalText(node, "triggered_at").map(Instant::parse),
                    optionalText(node, "api_version"),
                    node.hasNonNull("line") ? Optional.of(node.get("line").asLong()) : Optional.empty(),
                    node.get("body").asText());
        }
        catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot read landing envelope: " + e.getMessage(), e);
        }
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
    }
}
