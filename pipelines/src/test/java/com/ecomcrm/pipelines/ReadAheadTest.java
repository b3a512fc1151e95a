package com.ecomcrm.pipelines;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ReadAheadTest {

    @Test
    void everyElementArrivesOnceInTheSourcesOrderAcrossBatchEdges() {
        for (int size : new int[] {0, 1, 6, 7, 8, 100}) {
            List<Integer> source = IntStream.range(0, size).boxed().toList();
            try (ReadAhead<Integer> read = new ReadAhead<>(source.iterator(), "test", 2, 7)) {
                assertThat(drain(read)).as("%d elements", size).isEqualTo(source);
                assertThat(read.hasNext()).isFalse();
                assertThatThrownBy(read::next).isInstanceOf(NoSuchElementException.class);
            }
        }
    }

    @Test
    void theSourcesFailureReachesTheReaderAfterTheElementsBeforeIt() {
        Iterator<Integer> failing = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (next == 5) {
                    throw new IllegalStateException("the Spark job for partition 2 failed");
                }
                return next++;
            }
        };
        try (ReadAhead<Integer> read = new ReadAhead<>(failing, "test", 4, 2)) {
            List<Integer> seen = new ArrayList<>();
            assertThatThrownBy(() -> read.forEachRemaining(seen::add))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the Spark job for partition 2 failed");
            // Elements of the unfinished batch are lost with the failure; the ones before it were all delivered.
            assertThat(seen).isEqualTo(List.of(0, 1, 2, 3));
            assertThat(read.hasNext()).isFalse();
        }
    }

    @Test
    void closingStopsTheThreadOfAReaderThatStoppedEarlyWhileTheSourceHasMore() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        ReadAhead<Integer> read = new ReadAhead<>(endless(produced, Duration.ZERO), "endless", 3, 10);
        assertThat(read.next()).isZero();
        // Bounded: the batch being read, 3 waiting and the one the thread holds while it waits for room.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> produced.get() == 50);
        Thread.sleep(100);
        assertThat(produced.get()).isEqualTo(50);
        read.close();
        int atClose = produced.get();
        Thread.sleep(100);
        assertThat(produced.get()).isEqualTo(atClose);
        assertThat(read.hasNext()).isFalse();
    }

    @Test
    void aSourceThatSwallowsTheInterruptStillStopsAtClose() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        // Room for thousands of elements at 2 ms each: when close() comes, the thread is inside the source's next(),
        // which swallows the interrupt as a blocking Spark job may; only the closed flag can stop it.
        ReadAhead<Integer> read = new ReadAhead<>(endless(produced, Duration.ofMillis(2)), "stubborn", 2, 1000);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> produced.get() >= 10);
        assertTimeoutPreemptively(Duration.ofSeconds(10), read::close);
        int atClose = produced.get();
        Thread.sleep(200);
        assertThat(produced.get()).isBetween(atClose, atClose + 1);
    }

    @Test
    void refusesAnEmptyQueue() {
        assertThatThrownBy(() -> new ReadAhead<>(List.of(1).iterator(), "bad", 0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batches");
    }

    /** 0, 1, 2, ... without end, counted in {@code produced}; each takes {@code pause}, ignoring interrupts. */
    private static Iterator<Integer> endless(AtomicInteger produced, Duration pause) {
        return Stream.generate(() -> {
            long until = System.nanoTime() + pause.toNanos();
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                }
                catch (InterruptedException swallowed) {
                    // keeps going, the flag cleared
                }
            }
            return produced.getAndIncrement();
        }).iterator();
    }

    private static List<Integer> drain(Iterator<Integer> read) {
        List<Integer> out = new ArrayList<>();
        read.forEachRemaining(out::add);
        return out;
    }
}
