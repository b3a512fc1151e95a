package com.ecomcrm.pipelines;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.time.Instant;

import static com.ecomcrm.pipelines.SparkValues.ts;
import static java.util.Objects.requireNonNull;

/**
 * A row of {@code silver.refunds}. {@code updatedAt} orders the versions of one refund: the order's updated_at when
 * the refund came inside an order payload (the order is updated whenever a refund is added or settles), the refund's
 * created_at for a refunds/create delivery. {@code customerId} is null for a refunds/create delivery (its payload has
 * no customer); the ingest fills it from silver.orders.
 */
public record RefundRow(
        String shopId,
        long refundId,
        long orderId,
        Long customerId,
        Instant createdAt,
        Instant processedAt,
        BigDecimal amount,
        String currency,
        Instant updatedAt,
        String sourceTopic,
        Instant landedAt) implements SilverRecord {

    public static final StructType SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("refund_id", DataTypes.LongType, false)
            .add("order_id", DataTypes.LongType, false)
            .add("customer_id", DataTypes.LongType)
            .add("created_at", DataTypes.TimestampType)
            .add("processed_at", DataTypes.TimestampType)
            .add("amount", DataTypes.createDecimalType(18, 2))
            .add("currency", DataTypes.StringType)
            .add("updated_at", DataTypes.TimestampType)
            .add("source_topic", DataTypes.StringType)
            .add("landed_at", DataTypes.TimestampType);

    public RefundRow {
        requireNonNull(shopId, "shopId is null");
        requireNonNull(amount, "amount is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    @Override
    public Object[] values() {
        return new Object[]{shopId, refundId, orderId, customerId, ts(createdAt), ts(processedAt), amount, currency,
                ts(updatedAt), sourceTopic, ts(landedAt)};
    }

    @Override
    public StructType schema() {
        return SCHEMA;
    }
}
