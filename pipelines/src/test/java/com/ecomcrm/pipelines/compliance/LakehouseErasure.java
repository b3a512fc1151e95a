package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.pipelines.Lakehouse;
import org.apache.spark.sql.SparkSession;

import java.time.Clock;
import java.util.List;

/**
 * A customer's erasure from the landing zone and the lakehouse by the compliance job's own stores, for tests outside
 * this package (the ingest's): the landing files are rewritten without the customer's lines and the silver rows
 * deleted exactly as a {@code customers/redact} request does it.
 */
public final class LakehouseErasure {
    private LakehouseErasure() {
    }

    public static void eraseCustomer(SparkSession spark, Lakehouse lakehouse, LandingLayout landing, Clock clock,
                                      CustomerMatch match) {
        List<CustomerDataStore> stores = List.of(new LandingStore(landing, clock),
                new IcebergStore(spark, lakehouse, clock));
        for (CustomerDataStore store : stores) {
            store.discoverOrders(match);
        }
        for (CustomerDataStore store : stores) {
            store.eraseCustomer(match);
        }
    }
}
