package com.ecomcrm.pipelines;

import com.ecomcrm.schema.IcebergTable;

import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The Spark catalog the jobs read and write, and its table names. Production uses {@code lakehouse}; tests use a
 * catalog of their own name (the JDBC catalog keys every table by catalog name), so they never touch the demo's
 * tables even though they share the PostgreSQL database.
 */
public record Lakehouse(String catalog) {
    // Declared before DEFAULT: static fields initialise in order, and DEFAULT's constructor uses NAME.
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    public static final Lakehouse DEFAULT = new Lakehouse(IcebergTable.CATALOG);

    public Lakehouse {
        requireNonNull(catalog, "catalog is null");
        if (!NAME.matcher(catalog).matches()) {
            throw new IllegalArgumentException("Cannot use catalog name '" + catalog + "': expected [a-z_][a-z0-9_]*");
        }
    }

    public String table(String namespace, String name) {
        return catalog + "." + namespace + "." + name;
    }

    public String customers() {
        return table("silver", "customers");
    }

    public String orders() {
        return table("silver", "orders");
    }

    public String orderLines() {
        return table("silver", "order_lines");
    }

    public String checkouts() {
        return table("silver", "checkouts");
    }

    public String refunds() {
        return table("silver", "refunds");
    }

    public String refundLines() {
        return table("silver", "refund_lines");
    }

    public String customerRfm() {
        return table("gold", "customer_rfm");
    }

    public String segmentTransitions() {
        return table("gold", "segment_transitions");
    }

    public String shopDailyKpis() {
        return table("gold", "shop_daily_kpis");
    }

    public String customerPredictions() {
        return table("gold", "customer_predictions");
    }

    public String shopModelFits() {
        return table("gold", "shop_model_fits");
    }

    public String emailSends() {
        return table("silver", "email_sends");
    }

    public String emailEvents() {
        return table("silver", "email_events");
    }

    public String emailPerformance() {
        return table("gold", "email_performance");
    }

    public String shopInsights() {
        return table("gold", "shop_insights");
    }
}
