package com.ecomcrm.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JMH's JSON results ({@code bench/jmh-results.json}) as a markdown table ({@code bench/jmh-results.md}):
 * {@code bin/run benchmarks com.ecomcrm.bench.jmh.JmhSummary IN.json OUT.md [NOTE...]}; the notes (machine, load,
 * command) become bullet points under the table.
 */
public final class JmhSummary {
    private JmhSummary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: JmhSummary JMH_RESULTS.json OUT.md [NOTE...]");
            System.exit(2);
        }
        String markdown = markdown(Files.readString(Path.of(args[0])), List.of(args).subList(2, args.length));
        Files.writeString(Path.of(args[1]), markdown);
        System.out.print(markdown);
    }

    static String markdown(String jmhJson, List<String> notes) throws IOException {
        JsonNode results = new ObjectMapper().readTree(jmhJson);
        StringBuilder md = new StringBuilder("# JMH micro-benchmarks\n\n");
        if (results.size() > 0) {
            JsonNode first = results.get(0);
            md.append(String.format(Locale.ROOT, "JMH %s, %s %s; %d fork(s), %d warm-up x %s, %d measurement x %s.%n%n",
                    text(first, "jmhVersion"), text(first, "vmName"), text(first, "vmVersion"),
                    first.path("forks").asInt(), first.path("warmupIterations").asInt(), text(first, "warmupTime"),
                    first.path("measurementIterations").asInt(), text(first, "measurementTime")));
        }
        md.append("| benchmark | params | mode | score | error (99.9%) | unit |\n");
        md.append("| --- | --- | --- | ---: | ---: | --- |\n");
        for (JsonNode result : results) {
            JsonNode metric = result.path("primaryMetric");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n",
                    shortName(text(result, "benchmark")), params(result.path("params")), text(result, "mode"),
                    number(metric.path("score").asDouble()), error(metric.path("scoreError")),
                    text(metric, "scoreUnit")));
        }
        md.append('\n');
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        return md.toString();
    }

    /** {@code com.ecomcrm.bench.jmh.RfmScoringBench.scoreShop} becomes {@code RfmScoringBench.scoreShop}. */
    static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    private static String params(JsonNode params) {
        StringBuilder text = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> fields = params.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            text.append(text.length() == 0 ? "" : ", ").append(field.getKey()).append('=')
                    .append(field.getValue().asText());
        }
        return text.toString();
    }

    private static String error(JsonNode error) {
        // JMH writes "NaN" (a string) when there are too few iterations for an error estimate.
        return error.isNumber() ? "± " + number(error.asDouble()) : "";
    }

    static String number(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, magnitude >= 1 ? "%.2f" : "%.4f", value);
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).asText("");
    }
}
