package com.ecomcrm.bench.jmh;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JmhSummaryTest {
    private static final String RESULTS = """
            [ {
              "jmhVersion" : "1.37", "benchmark" : "com.ecomcrm.bench.jmh.RfmScoringBench.scoreShop",
              "mode" : "avgt", "threads" : 1, "forks" : 1, "vmName" : "OpenJDK 64-Bit Server VM", "vmVersion" : "17",
              "warmupIterations" : 3, "warmupTime" : "1 s", "measurementIterations" : 5, "measurementTime" : "1 s",
              "params" : { "customers" : "10000" },
              "primaryMetric" : { "score" : 3.6491, "scoreError" : 0.1234, "scoreUnit" : "ms/op" }
            }, {
              "jmhVersion" : "1.37", "benchmark" : "com.ecomcrm.bench.jmh.WebhookSignatureBench.verifyValidSignature",
              "mode" : "avgt", "forks" : 1,
              "primaryMetric" : { "score" : 1234.5, "scoreError" : "NaN", "scoreUnit" : "us/op" }
            } ]
            """;

    @Test
    void tabulatesEveryBenchmarkWithItsParamsScoreAndError() throws IOException {
        String md = JmhSummary.markdown(RESULTS, List.of("load average 1.0"));
        assertThat(md).contains("JMH 1.37, OpenJDK 64-Bit Server VM 17; 1 fork(s), 3 warm-up x 1 s,"
                        + " 5 measurement x 1 s.")
                .contains("| RfmScoringBench.scoreShop | customers=10000 | avgt | 3.65 | ± 0.1234 | ms/op |")
                .contains("| WebhookSignatureBench.verifyValidSignature |  | avgt | 1,235 |  | us/op |")
                .endsWith("- load average 1.0\n");
    }
}
