package com.ecomcrm.pipelines;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.time.Instant;

import static com.ecomcrm.pipelines.SparkValues.ts;
import static java.util.Objects.requireNonNull;

/** A row of {@code silver.orders}. Money is exact: decimal(18,2). */
public record OrderRow(
        String shopId,
        long orderId,
        Long customerId,
        String name,
        Instant createdAt,
        Instant processedAt,
        Instant updatedAt,
        Instant cancelledAt,
        String financialStatus,
        String currency,
        BigDecimal totalPrice,
        BigDecimal totalRefunded,
        boolean test,
        String sourceTopic,
        Instant landedAt) implements SilverRecord {

    public static final StructType SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("order_id", DataTypes.LongType, false)
            .add("customer_id", DataTypes.LongType)
            .add("name", DataTypes.StringType)
            .add("created_at", DataTypes.TimestampType)
            .add("processed_at", DataTypes.TimestampType)
            .add("updated_at", DataTypes.TimestampType)
            .add("cancelled_at", DataTypes.TimestampType)
            .add("financial_status", DataTypes.StringType)
            .add("currency", DataTypes.StringType)
            .add("total_price", DataTypes.createDecimalType(18, 2))
            .add("total_refunded", DataTypes.createDecimalType(18, 2))
            .add("test", DataTypes.BooleanType)
            .add("source_topic", DataTypes.StringType)
            .add("landed_at", DataTypes.TimestampType);

    public OrderRow {
        requireNonNull(shopId, "shopId is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    @Override
    public Object[] values() {
        return new Object[]{shopId, orderId, customerId, name, ts(createdAt), ts(processedAt), ts(updatedAt),
                ts(cancelledAt), financialStatus, currency, totalPrice, totalRefunded, test, sourceTopic,
                ts(landedAt)};
    }

    @Override
    public StructType schema() {
        return SCHEMA;
    }
}
