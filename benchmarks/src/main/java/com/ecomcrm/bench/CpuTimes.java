package com.ecomcrm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU time spent so far by the parts of an intake run, in nanoseconds: the API server's threads (Vert.x event loops
 * and workers), the load generator's (the JDK HTTP client and the sending thread), and the PostgreSQL backends
 * serving the run's database. On a machine shared with other work, throughput and latency move with the load, but
 * the CPU one delivery costs moves much less: that is the figure to compare two versions by.
 *
 * <p>Threads that ended between two readings are not counted (the Vert.x and HTTP client pools keep theirs alive).
 */
record CpuTimes(long serverNanos, long loadGeneratorNanos, long postgresNanos, long jvmNanos, long jitNanos) {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    /** @param generatorThreads the load generator's Vert.x threads (all other {@code vert.x-} threads are the API's) */
    static CpuTimes now(BenchDatabases world, Set<Long> generatorThreads) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long server = 0;
        long client = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            String name = info.getThreadName();
            if (generatorThreads.contains(info.getThreadId())) {
                client += cpu;
            }
            else if (name.startsWith("vert.x-")) {
                server += cpu;
            }
            else if (name.startsWith("HttpClient-") || name.equals("main")) {
                client += cpu;
            }
        }
        long[] process = processTicks();
        return new CpuTimes(server, client, postgresBackends(world), process[0], process[1]);
    }

    Map<String, Double> perDeliveryMicros(CpuTimes before, long deliveries) {
        Map<String, Double> micros = new LinkedHashMap<>();
        micros.put("api_server", micros(serverNanos - before.serverNanos, deliveries));
        micros.put("postgres", micros(postgresNanos - before.postgresNanos, deliveries));
        micros.put("load_generator", micros(loadGeneratorNanos - before.loadGeneratorNanos, deliveries));
        // The whole benchmark JVM from /proc (API, load generator, JIT compilers, GC), and its JIT compilers alone:
        // in a cold JVM compiling the hot paths competes with serving them for the same CPUs.
        micros.put("jvm_process", micros(jvmNanos - before.jvmNanos, deliveries));
        micros.put("jit_compiler", micros(jitNanos - before.jitNanos, deliveries));
        return micros;
    }

    private static double micros(long nanos, long deliveries) {
        return Math.round(nanos / 1_000.0 / deliveries * 10) / 10.0;
    }

    /**
     * utime + stime of this JVM (/proc/self/stat) and of its JIT compiler threads (tasks named "C1 CompilerThre..."
     * or "C2 CompilerThre...", which the ThreadMXBean does not list), in nanoseconds. A compiler thread that ended
     * between two readings (HotSpot stops idle ones) is not counted: the figure is a lower bound.
     */
    private static long[] processTicks() {
        long process = 0;
        long jit = 0;
        try {
            process = ticks(Files.readString(Path.of("/proc/self/stat")));
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        if (name.contains("CompilerThre")) {
                            jit += ticks(stat);
                        }
                    }
                    catch (Exception gone) {
                        // the thread ended
                    }
                }
            }
        }
        catch (Exception notLinux) {
            return new long[] {0, 0};
        }
        return new long[] {process * 1_000_000_000L / CLOCK_TICKS_PER_SECOND, jit * 1_000_000_000L / CLOCK_TICKS_PER_SECOND};
    }

    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
    }

    /** utime + stime of every backend connected to the run's database (same machine: read from /proc). */
    private static long postgresBackends(BenchDatabases world) {
        List<Long> pids = new ArrayList<>();
        try (Connection connection = world.connect();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                pids.add(rows.getLong(1));
            }
        }
        catch (Exception e) {
            return 0;
        }
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            }
            catch (Exception gone) {
                // the backend ended, or PostgreSQL runs elsewhere
            }
        }
        return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
    }
}
