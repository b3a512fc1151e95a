package com.ecomcrm.schema;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import java.util.UUID;

/** The real servers, from the environment; tests that need one are skipped only when its URL variable is unset. */
final class Servers {
    private Servers() {
    }

    static PostgresTarget postgres() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        return PostgresTarget.fromEnv();
    }

    static ClickHouseTarget clickHouse() {
        assumeTrue(System.getenv("ECOMCRM_CH_URL") != null, "ECOMCRM_CH_URL is not set: ClickHouse tests skipped");
        return ClickHouseTarget.fromEnv();
    }

    /** A name for a throwaway database or schema, e.g. {@code ecomcrm_test_3f2a...}. */
    static String throwawayName() {
        return "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
    }
}
