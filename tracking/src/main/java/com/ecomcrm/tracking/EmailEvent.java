package com.ecomcrm.tracking;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One open, click or unsubscribe as the API server saw it: the body of a landed {@code source=tracking} envelope
 * (topic {@link Kind#topic()}, delivery id {@link #eventId()}) and one row of PostgreSQL {@code email_events}.
 *
 * <p>Wire form ({@link #toJson()}), one JSON object, every field always present:
 * <pre>{"event_id":"6f1c…","kind":"click","shop":"a.myshopify.com","send_id":42,
 *  "occurred_at":"2026-11-24T10:00:00.123Z","url":"https://…","method":"GET","user_agent":"…","ip":"203.0.113.9",
 *  "machine":false,"machine_reason":null,"sent_at":"2026-11-24T09:59:00Z"}</pre>
 * {@code machine} is the verdict known when the event arrived; a click later found to be part of a burst is re-flagged
 * in PostgreSQL only (every input of {@link MachineEventRule} is in the landed line, so a batch job can re-apply it).
 * Replayed unsubscribes share one {@code event_id} ({@link #unsubscribeEventId(long)}), so a reader keeps one.
 */
public record EmailEvent(
        String eventId,
        Kind kind,
        ShopId shop,
        long sendId,
        Instant occurredAt,
        Optional<String> url,
        String method,
        Optional<String> userAgent,
        Optional<String> ip,
        Optional<MachineEventRule.Reason> machineReason,
        Optional<Instant> sentAt) {

    /** Longest User-Agent kept; longer ones are cut (they are only ever matched, never shown). */
    public static final int MAX_USER_AGENT = 512;

    /** What happened. {@link #dbKind()} is the {@code email_events.kind} value. */
    public enum Kind {
        OPEN, CLICK, UNSUBSCRIBE;

        public String dbKind() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The landing topic: {@code email/open}, {@code email/click}, {@code email/unsubscribe}. */
        public String topic() {
            return "email/" + dbKind();
        }
    }

    public EmailEvent {
        requireNonNull(eventId, "eventId is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(shop, "shop is null");
        requireNonNull(occurredAt, "occurredAt is null");
        requireNonNull(url, "url is null");
        requireNonNull(method, "method is null");
        requireNonNull(userAgent, "userAgent is null");
        requireNonNull(ip, "ip is null");
        requireNonNull(machineReason, "machineReason is null");
        requireNonNull(sentAt, "sentAt is null");
        userAgent = userAgent.map(ua -> ua.length() > MAX_USER_AGENT ? ua.substring(0, MAX_USER_AGENT) : ua);
    }

    /** The one event id every replay of an unsubscribe of this send shares. */
    public static String unsubscribeEventId(long sendId) {
        return "unsubscribe-" + sendId;
    }

    public boolean machine() {
        return machineReason.isPresent();
    }

    public String toJson() {
        StringBuilder out = new StringBuilder(256 + url.map(String::length).orElse(0)
                + userAgent.map(String::length).orElse(0));
        out.append('{');
        field(out, "event_id", eventId).append(',');
        field(out, "kind", kind.dbKind()).append(',');
        field(out, "shop", shop.domain()).append(',');
        out.append("\"send_id\":").append(sendId).append(',');
        field(out, "occurred_at", occurredAt.toString()).append(',');
        field(out, "url", url.orElse(null)).append(',');
        field(out, "method", method).append(',');
        field(out, "user_agent", userAgent.orElse(null)).append(',');
        field(out, "ip", ip.orElse(null)).append(',');
        out.append("\"machine\":").append(machine()).append(',');
        field(out, "machine_reason", machineReason.map(MachineEventRule.Reason::code).orElse(null)).append(',');
        field(out, "sent_at", sentAt.map(Instant::toString).orElse(null));
        return out.append('}').toString();
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        out.append('"').append(name).append("\":");
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
