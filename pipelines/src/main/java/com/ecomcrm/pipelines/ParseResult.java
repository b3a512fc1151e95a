package com.ecomcrm.pipelines;

import com.ecomcrm.landing.LandingEnvelope;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What one landed line produced: rows for the silver tables, or a reject, or nothing (a topic we do not store).
 *
 * @param file       the landing file the line came from
 * @param line       1-based line number within that file
 * @param deliveryId the envelope's delivery id (webhook id or bulk operation GID); null for a reject of an unreadable
 *                   envelope. The ingest uses it to join a bulk line item to its order line of the same operation.
 * @param receivedAt when the record landed; part of the deterministic tie-break between equal updated_at values
 */
public record ParseResult(String file, long line, List<SilverRecord> records, Reject reject, boolean ignored,
                          String deliveryId, Instant receivedAt) implements Serializable {

    public ParseResult {
        records = List.copyOf(records);
    }

    static ParseResult of(LandingEnvelope envelope, String file, long line, List<SilverRecord> records) {
        return new ParseResult(file, line, records, null, false, envelope.deliveryId(), envelope.receivedAt());
    }

    static ParseResult ignored(LandingEnvelope envelope, String file, long line) {
        return new ParseResult(file, line, List.of(), null, true, envelope.deliveryId(), envelope.receivedAt());
    }

    static ParseResult rejected(Reject reject) {
        requireNonNull(reject, "reject is null");
        return new ParseResult(reject.file(), reject.line(), List.of(), reject, false, null, null);
    }

    public boolean isReject() {
        return reject != null;
    }

    /**
     * A landed line that could not be read.
     *
     * @param shopId the shop, when the envelope could be read
     * @param field  the field at fault ({@code envelope}, {@code body}, {@code totalPriceSet.shopMoney.amount}, ...)
     */
    public record Reject(String shopId, String file, long line, String topic, String field, String reason)
            implements Serializable {
        public String describe() {
            return file + ":" + line + (topic == null ? "" : " (" + topic + ")") + ": " + reason;
        }
    }
}
