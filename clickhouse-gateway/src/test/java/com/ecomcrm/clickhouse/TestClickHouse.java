package com.ecomcrm.clickhouse;

import org.junit.jupiter.api.Assumptions;

/**
 * Access to the real ClickHouse for tagged integration tests. They are skipped only when ECOMCRM_CH_URL is unset
 * (a bare IDE run); under `make test` bin/dev-env sets it, so they run and a missing server fails them.
 */
final class TestClickHouse {
    static final String TAG = "clickhouse";

    private TestClickHouse() {
    }

    static ClickHouseGateway gatewayOrSkip() {
        Assumptions.assumeTrue(System.getenv("ECOMCRM_CH_URL") != null,
                "ECOMCRM_CH_URL is not set: skipping ClickHouse integration test");
        ClickHouseSettings settings = ClickHouseSettings.fromEnvironment();
        // The database normally comes from bin/services; creating it here keeps a fresh server usable.
        try (ClickHouseGateway bootstrap = ClickHouseGateway.connect(settings.withDatabase("default"))) {
            bootstrap.admin().execute("CREATE DATABASE IF NOT EXISTS " + SqlLiterals.identifier(settings.database()));
        }
        return ClickHouseGateway.connect(settings);
    }
}
