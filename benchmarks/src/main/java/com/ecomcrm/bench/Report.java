package com.ecomcrm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One run's results: written as {@code results-<scale>.json} (for machines) and {@code results-<scale>.md}. */
public record Report(Scale scale, Instant timestamp, Machine machine, DataSizes data, List<StageResult> stages,
                     List<String> notes) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("results-" + scale.name() + ".json"), json() + "\n");
        Files.writeString(directory.resolve("results-" + scale.name() + ".md"), markdown());
    }

    public String json() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("scale", scale.name());
        root.put("timestamp", timestamp.toString());
        root.put("git_commit", machine.gitCommit());
        ObjectNode m = root.putObject("machine");
        m.put("nproc", machine.processors());
        m.put("cpu", machine.cpuModel());
        m.put("memory_mb", machine.memoryMb());
        m.put("os", machine.os());
        m.put("java", machine.java());
        m.put("clickhouse", machine.clickHouse());
        m.put("postgresql", machine.postgres());
        m.put("load_average_at_start", machine.loadAverage());
        ObjectNode d = root.putObject("data");
        d.put("shops", data.shops());
        d.put("customers", data.customers());
        d.put("orders", data.orders());
        d.put("order_lines", data.lines());
        d.put("webhook_shops", data.webhookShops());
        d.put("webhook_deliveries", data.webhookDeliveries());
        var list = root.putArray("stages");
        for (StageResult s : stages) {
            ObjectNode n = list.addObject();
            n.put("name", s.name());
            n.put("seconds", round(s.seconds(), 3));
            n.put("rows", s.rows());
            n.put("unit", s.unit());
            n.put("rows_per_second", round(s.rowsPerSecond(), 1));
            if (s.latency() != null) {
                ObjectNode l = n.putObject("latency_ms");
                l.put("p50", s.latency().p50Ms());
                l.put("p95", s.latency().p95Ms());
                l.put("p99", s.latency().p99Ms());
                l.put("max", s.latency().maxMs());
                l.put("mean", s.latency().meanMs());
            }
            if (s.peakMemoryMb() != null) {
                n.put("peak_memory_mb", s.peakMemoryMb());
            }
            n.set("details", JSON.valueToTree(s.details()));
        }
        root.set("notes", JSON.valueToTree(notes));
        return JSON.writeValueAsString(root);
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Foundation benchmark: ").append(scale.name()).append("\n\n");
        md.append(String.format(Locale.ROOT, "%s, commit `%s`  %n", timestamp, machine.gitCommit()));
        md.append(String.format(Locale.ROOT, "%d CPUs (%s), %,d MB RAM, %s, %s, ClickHouse %s, PostgreSQL %s;"
                        + " load average at start %s%n%n", machine.processors(), machine.cpuModel(), machine.memoryMb(),
                machine.os(), machine.java(), machine.clickHouse(), machine.postgres(), machine.loadAverage()));
        md.append(String.format(Locale.ROOT, "Data: %,d shops (bulk import), %,d customers, %,d orders, %,d order lines;"
                        + " %,d webhook deliveries from %d more shop(s).%n%n", data.shops(), data.customers(),
                data.orders(), data.lines(), data.webhookDeliveries(), data.webhookShops()));
        md.append("| stage | seconds | rows | rows/s | p50 ms | p95 ms | p99 ms | peak MB |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (StageResult s : stages) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %,d %s | %,.0f | %s | %s | %s | %s |%n", s.name(),
                    s.seconds(), s.rows(), s.unit(), s.rowsPerSecond(),
                    s.latency() == null ? "" : fmt(s.latency().p50Ms()),
                    s.latency() == null ? "" : fmt(s.latency().p95Ms()),
                    s.latency() == null ? "" : fmt(s.latency().p99Ms()),
                    s.peakMemoryMb() == null ? "" : String.format(Locale.ROOT, "%,.0f", s.peakMemoryMb())));
            if (s.details().get("stages") instanceof Map<?, ?> inner) {
                inner.forEach((stage, figures) -> md.append(String.format(Locale.ROOT,
                        "| &nbsp;&nbsp;%s (pipeline's own timing) | %s | | | | | | |%n", stage,
                        ((Map<?, ?>) figures).get("seconds"))));
            }
        }
        md.append("\n");
        for (StageResult s : stages) {
            if (!s.details().isEmpty()) {
                md.append("- ").append(s.name()).append(": ").append(details(s.details())).append("\n");
            }
        }
        for (String note : notes) {
            md.append("- ").append(note).append("\n");
        }
        return md.toString();
    }

    private static String details(Map<String, Object> details) {
        StringBuilder text = new StringBuilder();
        details.forEach((k, v) -> {
            if (v instanceof Map<?, ?> stages && k.equals("stages")) {
                // the pipeline's own figures per stage, but the seconds (those are rows of the table above)
                stages.forEach((stage, figures) -> {
                    StringBuilder line = new StringBuilder();
                    ((Map<?, ?>) figures).forEach((key, value) -> {
                        if (!key.equals("seconds")) {
                            line.append(line.length() == 0 ? "" : " ").append(key).append('=').append(value);
                        }
                    });
                    if (line.length() > 0) {
                        text.append(text.length() == 0 ? "" : "; ").append(stage).append(": ").append(line);
                    }
                });
                return;
            }
            text.append(text.length() == 0 ? "" : ", ").append(k).append(' ').append(v);
        });
        return text.toString();
    }

    private static String fmt(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.1f", ms);
    }

    private static double round(double value, int digits) {
        double scaleFactor = Math.pow(10, digits);
        return Math.round(value * scaleFactor) / scaleFactor;
    }
}
