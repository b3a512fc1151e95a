package com.ecomcrm.bench.screens;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * CPU time spent so far by the parts of a screens run, in nanoseconds: the API (every thread of this JVM but the load
 * generator's: event loops, workers, the ClickHouse and PostgreSQL clients, JIT and GC), the load generator (the
 * clients' pool threads and the JDK HTTP client), the ClickHouse server process and the PostgreSQL backends of the
 * run's database. On a machine shared with other work the latencies move with the load, the CPU one screen load costs
 * much less: that is the figure to compare two versions of the API by.
 */
record ScreensCpu(long apiNanos, long loadGeneratorNanos, long clickHouseNanos, long postgresNanos) {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    static ScreensCpu now(String pgUrl, String pgUser, String pgPassword, String pgDatabase) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long generator = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String name = info.getThreadName();
            // DashboardScreens' clients (an Executors pool) and the JDK HTTP client they share.
            if (name.startsWith("pool-") || name.startsWith("HttpClient-")) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                generator += Math.max(0, cpu);
            }
        }
        long process = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            process = Math.max(0, os.getProcessCpuTime());
        }
        return new ScreensCpu(process - generator, generator, clickHouseServer(),
                postgresBackends(pgUrl, pgUser, pgPassword, pgDatabase));
    }

    /** Milliseconds of CPU per screen load since {@code before}, one line for the report. */
    String perLoad(ScreensCpu before, long loads) {
        return String.format(Locale.ROOT, "CPU ms per screen load (%d loads): api %.2f, clickhouse %.2f, postgres %.2f,"
                        + " load generator %.2f", loads, ms(apiNanos - before.apiNanos, loads),
                ms(clickHouseNanos - before.clickHouseNanos, loads), ms(postgresNanos - before.postgresNanos, loads),
                ms(loadGeneratorNanos - before.loadGeneratorNanos, loads));
    }

    private static double ms(long nanos, long loads) {
        return loads == 0 ? 0 : nanos / 1e6 / loads;
    }

    /** utime + stime of the local clickhouse-server process(es), from /proc. */
    private static long clickHouseServer() {
        long ticks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path p : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = Files.readString(p.resolve("cmdline"));
                    if (cmdline.startsWith("clickhouse-server") || cmdline.contains("/clickhouse-server")) {
                        ticks += ticks(p);
                    }
                }
                catch (Exception gone) {
                    // the process ended
                }
            }
        }
        catch (Exception e) {
            return 0;
        }
        return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
    }

    private static long postgresBackends(String url, String user, String password, String database) {
        List<Long> pids = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url, user, password);
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT pid FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            statement.setString(1, database);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    pids.add(rows.getLong(1));
                }
            }
        }
        catch (Exception e) {
            return 0;
        }
        long ticks = 0;
        for (long pid : pids) {
            try {
                ticks += ticks(Path.of("/proc/" + pid));
            }
            catch (Exception gone) {
                // the backend ended
            }
        }
        return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
    }

    private static long ticks(Path process) throws java.io.IOException {
        String stat = Files.readString(process.resolve("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
    }
}
