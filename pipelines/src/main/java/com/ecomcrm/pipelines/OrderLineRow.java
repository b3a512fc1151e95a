package com.ecomcrm.pipelines;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.time.Instant;

import static com.ecomcrm.pipelines.SparkValues.ts;
import static java.util.Objects.requireNonNull;

/**
 * A row of {@code silver.order_lines}. {@code updatedAt} is the updated_at of the order the line came with. A bulk
 * line item is its own JSONL line without the order's updatedAt, so the parser leaves it null and the ingest fills it
 * from the parent order line of the same bulk operation.
 */
public record OrderLineRow(
        String shopId,
        long orderId,
        long lineId,
        Long productId,
        Long variantId,
        String sku,
        String title,
        Integer quantity,
        BigDecimal unitPrice,
        Instant updatedAt) implements SilverRecord {

    public static final StructType SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("order_id", DataTypes.LongType, false)
            .add("line_id", DataTypes.LongType, false)
            .add("product_id", DataTypes.LongType)
            .add("variant_id", DataTypes.LongType)
            .add("sku", DataTypes.StringType)
            .add("title", DataTypes.StringType)
            .add("quantity", DataTypes.IntegerType)
            .add("unit_price", DataTypes.createDecimalType(18, 2))
            .add("updated_at", DataTypes.TimestampType);

    public OrderLineRow {
        requireNonNull(shopId, "shopId is null");
    }

    @Override
    public Object[] values() {
        return new Object[]{shopId, orderId, lineId, productId, variantId, sku, title, quantity, unitPrice,
                ts(updatedAt)};
    }

    @Override
    public StructType schema() {
        return SCHEMA;
    }
}
