package com.ecomcrm.pipelines;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.time.Instant;

import static com.ecomcrm.pipelines.SparkValues.ts;
import static java.util.Objects.requireNonNull;

/**
 * A row of {@code silver.refund_lines}, keyed by (refund, refunded line item): a refund lists each line item once,
 * and GraphQL does not always give the refund line an id of its own. {@code updatedAt} is its refund row's.
 */
public record RefundLineRow(
        String shopId,
        long refundId,
        long lineItemId,
        long orderId,
        Long refundLineId,
        Integer quantity,
        BigDecimal subtotal,
        Instant updatedAt) implements SilverRecord {

    public static final StructType SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("refund_id", DataTypes.LongType, false)
            .add("line_item_id", DataTypes.LongType, false)
            .add("order_id", DataTypes.LongType, false)
            .add("refund_line_id", DataTypes.LongType)
            .add("quantity", DataTypes.IntegerType)
            .add("subtotal", DataTypes.createDecimalType(18, 2))
            .add("updated_at", DataTypes.TimestampType);

    public RefundLineRow {
        requireNonNull(shopId, "shopId is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    @Override
    public Object[] values() {
        return new Object[]{shopId, refundId, lineItemId, orderId, refundLineId, quantity, subtotal, ts(updatedAt)};
    }

    @Override
    public StructType schema() {
        return SCHEMA;
    }
}
