package com.ecomcrm.bench;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.schema.PostgresTarget;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/** Where the figures were measured: the hardware, the software versions and the commit. */
public record Machine(int processors, String cpuModel, long memoryMb, String os, String java, String clickHouse,
                      String postgres, String gitCommit, String loadAverage) {

    public static Machine describe(Path repositoryRoot, ClickHouseGateway clickHouse, PostgresTarget postgres) {
        return new Machine(Runtime.getRuntime().availableProcessors(), procField("/proc/cpuinfo", "model name"),
                memTotalMb(), osName(), System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                clickHouseVersion(clickHouse), postgresVersion(postgres), gitCommit(repositoryRoot), readLoadAverage());
    }

    private static String osName() {
        String pretty = null;
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    pretty = line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        }
        catch (IOException ignored) {
            // not Linux, or no os-release
        }
        String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return pretty == null ? kernel : pretty + " (" + kernel + ")";
    }

    /** The 1, 5 and 15 minute load averages when the run started: other work on the machine skews every figure. */
    private static String readLoadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long memTotalMb() {
        String kb = procField("/proc/meminfo", "MemTotal");
        return kb == null ? -1 : Long.parseLong(kb.replace("kB", "").trim()) / 1024;
    }

    private static String procField(String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(field)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (IOException ignored) {
            // not Linux
        }
        return null;
    }

    private static String clickHouseVersion(ClickHouseGateway clickHouse) {
        try {
            return clickHouse.admin().query("SELECT version() AS v").get(0).get("v").asText();
        }
        catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String postgresVersion(PostgresTarget postgres) {
        try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW server_version")) {
            rows.next();
            return rows.getString(1);
        }
        catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String gitCommit(Path repositoryRoot) {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD").directory(repositoryRoot.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : null;
        }
        catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
