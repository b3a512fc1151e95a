package com.ecomcrm.pipelines;

import java.nio.file.Path;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What the pipelines read from the environment (docs/development.md), with the documented dev defaults. Relative
 * directories are resolved against the working directory, which {@code bin/run} sets to the repository root.
 *
 * @param pgPassword never printed (see {@link #toString()})
 */
public record PipelineSettings(String pgUrl, String pgUser, String pgPassword, Path warehouseDir, Path landingDir,
                               String sparkMaster) {
    public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:55432/ecomcrm";

    public PipelineSettings {
        requireNonNull(pgUrl, "pgUrl is null");
        requireNonNull(pgUser, "pgUser is null");
        requireNonNull(pgPassword, "pgPassword is null");
        warehouseDir = requireNonNull(warehouseDir, "warehouseDir is null").toAbsolutePath().normalize();
        landingDir = requireNonNull(landingDir, "landingDir is null").toAbsolutePath().normalize();
        requireNonNull(sparkMaster, "sparkMaster is null");
    }

    public static PipelineSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static PipelineSettings fromEnvironment(Map<String, String> env) {
        return new PipelineSettings(
                get(env, "ECOMCRM_PG_URL", DEFAULT_PG_URL),
                get(env, "ECOMCRM_PG_USER", "ecomcrm"),
                env.getOrDefault("ECOMCRM_PG_PASSWORD", "ecomcrm"),
                Path.of(get(env, "ECOMCRM_WAREHOUSE_DIR", "var/warehouse")),
                Path.of(get(env, "ECOMCRM_LANDING_DIR", "var/landing")),
                get(env, "SPARK_MASTER", "local[2]"));
    }

    public PipelineSettings withWarehouseDir(Path dir) {
        return new PipelineSettings(pgUrl, pgUser, pgPassword, dir, landingDir, sparkMaster);
    }

    public PipelineSettings withLandingDir(Path dir) {
        return new PipelineSettings(pgUrl, pgUser, pgPassword, warehouseDir, dir, sparkMaster);
    }

    @Override
    public String toString() {
        return "PipelineSettings[pgUrl=" + pgUrl + ", pgUser=" + pgUser + ", warehouseDir=" + warehouseDir
                + ", landingDir=" + landingDir + ", sparkMaster=" + sparkMaster + "]";
    }

    private static String get(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
