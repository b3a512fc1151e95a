package com.ecomcrm.pipelines;

import org.apache.spark.sql.types.StructType;

import java.io.Serializable;

/**
 * One typed row for a silver table, parsed from a landed record. Each kind knows its table's Spark schema (the column
 * order and types of docs/warehouse-contract.md), so the ingest can build a DataFrame that {@code INSERT *} accepts
 * without per-table mapping code.
 */
public sealed interface SilverRecord extends Serializable
        permits CustomerRow, OrderRow, OrderLineRow, CheckoutRow, RefundRow, RefundLineRow {

    /** The shop's {@code *.myshopify.com} domain, the first column of every table. */
    String shopId();

    /** The values in {@link #schema()} order, as Spark's external types (Timestamp, BigDecimal, Long, ...). */
    Object[] values();

    StructType schema();
}
