package com.ecomcrm.bench;

import com.ecomcrm.bench.baseline.LifetimesBaseline;
import com.ecomcrm.bench.baseline.PostgresRfmBaseline;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.testing.shopify.SimulatedStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The side-by-side baselines of the foundation benchmark, run after the load stages so they never compete with them:
 * RFM as SQL in PostgreSQL ({@link PostgresRfmBaseline}) against the pipeline's Spark rfm stage, and BG/NBD fitted by
 * the Python lifetimes package ({@link LifetimesBaseline}) against our models module on the same customers. A
 * baseline that cannot run (no lifetimes venv) is reported as a note, never silently dropped.
 */
final class BaselineStages {
    private static final Logger LOG = LoggerFactory.getLogger(BaselineStages.class);

    private BaselineStages() {
    }

    static void run(Path root, BenchDatabases world, List<SimulatedStore> stores, LocalDate asOf,
                    ClickHouseGateway clickHouse, List<StageResult> stages, List<String> notes) throws Exception {
        Double sparkRfmSeconds = pipelineStageSeconds(stages, "rfm");
        LOG.info("Baseline: RFM in PostgreSQL over the bulk shops' orders");
        stages.addAll(new PostgresRfmBaseline(world::connect).run(stores, asOf, clickHouse, sparkRfmSeconds));
        if (sparkRfmSeconds == null) {
            notes.add("RFM baseline: no pipeline rfm stage to compare with (the pipeline did not run)");
        }

        LifetimesBaseline lifetimes = new LifetimesBaseline(root, world.work());
        String missing = lifetimes.missing();
        if (missing != null) {
            notes.add("lifetimes baseline: NOT RUN, " + missing);
            LOG.warn("Skipping the lifetimes baseline: {}", missing);
            return;
        }
        LOG.info("Baseline: BG/NBD by lifetimes and by our models module on the same customers");
        stages.addAll(lifetimes.run(stores, asOf));
    }

    /** The pipeline's own seconds for one of its stages, or null when the pipeline did not run or not report it. */
    static Double pipelineStageSeconds(List<StageResult> stages, String stage) {
        for (StageResult s : stages) {
            if (s.details().get("stages") instanceof Map<?, ?> inner && inner.get(stage) instanceof Map<?, ?> figures
                    && figures.get("seconds") instanceof Number seconds) {
                return seconds.doubleValue();
            }
        }
        return null;
    }
}
