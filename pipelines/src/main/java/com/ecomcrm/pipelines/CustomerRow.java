package com.ecomcrm.pipelines;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.time.Instant;

import static com.ecomcrm.pipelines.SparkValues.ts;
import static java.util.Objects.requireNonNull;

/**
 * A row of {@code silver.customers}. A {@code customers/delete} webhook becomes a tombstone: {@code deleted = true}
 * and every personal field null, so the MERGE that applies it also erases what we held about the customer.
 */
public record CustomerRow(
        String shopId,
        long customerId,
        String email,
        String firstName,
        String lastName,
        String state,
        String emailMarketingState,
        Instant createdAt,
        Instant updatedAt,
        boolean deleted,
        String sourceTopic,
        Instant landedAt) implements SilverRecord {

    public static final StructType SCHEMA = new StructType()
            .add("shop_id", DataTypes.StringType, false)
            .add("customer_id", DataTypes.LongType, false)
            .add("email", DataTypes.StringType)
            .add("first_name", DataTypes.StringType)
            .add("last_name", DataTypes.StringType)
            .add("state", DataTypes.StringType)
            .add("email_marketing_state", DataTypes.StringType)
            .add("created_at", DataTypes.TimestampType)
            .add("updated_at", DataTypes.TimestampType)
            .add("deleted", DataTypes.BooleanType)
            .add("source_topic", DataTypes.StringType)
            .add("landed_at", DataTypes.TimestampType);

    public CustomerRow {
        requireNonNull(shopId, "shopId is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    public static CustomerRow tombstone(String shopId, long customerId, Instant deletedAt, String sourceTopic,
                                        Instant landedAt) {
        return new CustomerRow(shopId, customerId, null, null, null, null, null, null, deletedAt, true, sourceTopic,
                landedAt);
    }

    @Override
    public Object[] values() {
        return new Object[]{shopId, customerId, email, firstName, lastName, state, emailMarketingState,
                ts(createdAt), ts(updatedAt), deleted, sourceTopic, ts(landedAt)};
    }

    @Override
    public StructType schema() {
        return SCHEMA;
    }
}
