package com.ecomcrm.pipelines.insights;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One finding for one shop: deterministic text, the numbers behind it, what to do and where in the dashboard.
 *
 * @param subject what the finding is about (a segment key, a flow id, a template id); with the shop and the kind it
 *                makes the {@link #id()}, so the same finding keeps its id from night to night
 * @param weight  how much is at stake (cents or customers), to rank findings of one severity
 */
public record Insight(String shop, Kind kind, String subject, Severity severity, String title, String body,
                      Map<String, Object> numbers, String actionLabel, String actionPath, double weight) {
    public enum Kind {
        SEGMENT_CHANGE, REVENUE_AT_RISK, VALUABLE_CUSTOMERS_SLIPPING, FLOW_CLICK_RATE_FELL, BEST_TEMPLATE,
        WORST_TEMPLATE, FLOW_OFF
    }

    /** Declared most severe first: ranking sorts by this order. */
    public enum Severity { HIGH, MEDIUM, LOW }

    public Insight {
        requireNonNull(shop, "shop is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(subject, "subject is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(title, "title is null");
        requireNonNull(body, "body is null");
        numbers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
        requireNonNull(actionLabel, "actionLabel is null");
        requireNonNull(actionPath, "actionPath is null");
    }

    /** 20 hex characters of SHA-256 over shop, kind and subject: stable, and says nothing about the shop. */
    public String id() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((shop + "|" + kind + "|" + subject).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 20);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public Insight withText(String newTitle, String newBody) {
        return new Insight(shop, kind, subject, severity, newTitle, newBody, numbers, actionLabel, actionPath,
                weight);
    }
}
