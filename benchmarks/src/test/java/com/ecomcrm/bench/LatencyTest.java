package com.ecomcrm.bench;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyTest {
    private static final long MS = 1_000_000L;

    @Test
    void takesTheNearestRankPercentilesOfAHundredRequests() {
        long[] nanos = LongStream.rangeClosed(1, 100).map(i -> i * MS).toArray();

        Latency latency = Latency.ofNanos(nanos);

        assertThat(latency.count()).isEqualTo(100);
        assertThat(latency.p50Ms()).isEqualTo(50.0);
        assertThat(latency.p95Ms()).isEqualTo(95.0);
        assertThat(latency.p99Ms()).isEqualTo(99.0);
        assertThat(latency.maxMs()).isEqualTo(100.0);
        assertThat(latency.meanMs()).isEqualTo(50.5);
    }

    @Test
    void aSingleSlowRequestIsThePercentilesOfASmallSample() {
        Latency latency = Latency.ofNanos(new long[] {3 * MS, 1 * MS, 200 * MS, 2 * MS});

        assertThat(latency.p50Ms()).isEqualTo(2.0);
        assertThat(latency.p95Ms()).isEqualTo(200.0);
        assertThat(latency.p99Ms()).isEqualTo(200.0);
    }

    @Test
    void noRequestsMeansZeroes() {
        assertThat(Latency.ofNanos(new long[0])).isEqualTo(new Latency(0, 0, 0, 0, 0, 0));
    }

    @Test
    void keepsMicrosecondsAndLeavesTheCallersArrayAlone() {
        long[] nanos = {2_500_000L, 1_234_567L};

        Latency latency = Latency.ofNanos(nanos);

        assertThat(latency.p50Ms()).isEqualTo(1.235);
        assertThat(nanos).containsExactly(2_500_000L, 1_234_567L);
    }
}
