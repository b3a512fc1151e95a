package com.ecomcrm.pipelines;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.math.BigDecimal;
import java.time.Instant;

import static com.ecomcrm.pipelines.SparkValues.ts;
import static java.util.Objects.requireNonNull;

/** A row of {@code silver.checkouts}, from checkouts/create|update webhooks. */
public record CheckoutRow(
        String shopId,
        String checkoutToken,
        Long customerId,
        String email,
        Instant createdAt,
        Instant updatedAt,
        Instant completedAt,
        BigDecimal totalPrice,
        String currency) implements SilverRecord {

    public static final StructType SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("checkout_token", DataTypes.StringType, false)
            .add("customer_id", DataTypes.LongType)
            .add("email", DataTypes.StringType)
            .add("created_at", DataTypes.TimestampType)
            .add("updated_at", DataTypes.TimestampType)
            .add("completed_at", DataTypes.TimestampType)
            .add("total_price", DataTypes.createDecimalType(18, 2))
            .add("currency", DataTypes.StringType);

    public CheckoutRow {
        requireNonNull(shopId, "shopId is null");
        requireNonNull(checkoutToken, "checkoutToken is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    @Override
    public Object[] values() {
        return new Object[]{shopId, checkoutToken, customerId, email, ts(createdAt), ts(updatedAt), ts(completedAt),
                totalPrice, currency};
    }

    @Override
    public StructType schema() {
        return SCHEMA;
    }
}
