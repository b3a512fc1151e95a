package com.ecomcrm.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Compares two tables given as JSON rows, in any order: integers, strings, booleans, dates and nulls must be equal
 * exactly; numbers with a fraction (model doubles) may differ by {@link #RELATIVE_TOLERANCE} relative, and such rows
 * are counted apart so a caller can tell "bit-identical" from "equal within tolerance". Numbers are read as
 * {@link BigDecimal}, so a money decimal is never rounded through a double.
 *
 * <p>Rows are paired by their exact part (the row with every fractional number blanked), then, inside a group of
 * rows with the same exact part, in sorted order. Every missing, extra or different row is reported, with the table.
 */
final class RowComparison {
    static final double RELATIVE_TOLERANCE = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // Keep 12.30 as written: the default node factory would normalise it to 12.3 in messages.
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final int MAX_REPORTED = 10;

    /** What a comparison of one table found; {@code differences} is empty when the tables are equal. */
    record Result(String table, int rows, int rowsWithinTolerance, List<String> differences) {
        Result {
            requireNonNull(table, "table is null");
            differences = List.copyOf(differences);
        }

        boolean equal() {
            return differences.isEmpty();
        }
    }

    private RowComparison() {
    }

    static JsonNode parse(String jsonRow) {
        try {
            return JSON.readTree(jsonRow);
        }
        catch (java.io.IOException e) {
            throw new UncheckedIOException("Cannot parse the row " + jsonRow, e);
        }
    }

    /** Compares the rows of {@code table} in the expected run with those of the actual run. */
    static Result compare(String table, List<JsonNode> expected, List<JsonNode> actual) {
        Map<String, List<JsonNode>> expectedGroups = groups(expected);
        Map<String, List<JsonNode>> actualGroups = groups(actual);
        List<String> differences = new ArrayList<>();
        int withinTolerance = 0;
        if (expected.size() != actual.size()) {
            differences.add(table + ": " + expected.size() + " rows expected, " + actual.size() + " found");
        }
        for (Map.Entry<String, List<JsonNode>> group : expectedGroups.entrySet()) {
            List<JsonNode> mine = group.getValue();
            List<JsonNode> theirs = actualGroups.getOrDefault(group.getKey(), List.of());
            for (int i = 0; i < Math.max(mine.size(), theirs.size()); i++) {
                if (i >= theirs.size()) {
                    differences.add(table + ": missing row " + mine.get(i));
                    continue;
                }
                if (i >= mine.size()) {
                    differences.add(table + ": extra row " + theirs.get(i));
                    continue;
                }
                List<String> fields = new ArrayList<>();
                boolean tolerated = compareValues("", mine.get(i), theirs.get(i), fields);
                if (!fields.isEmpty()) {
                    differences.add(table + ": row " + mine.get(i) + " differs in " + fields);
                }
                else if (tolerated) {
                    withinTolerance++;
                }
            }
        }
        for (Map.Entry<String, List<JsonNode>> group : actualGroups.entrySet()) {
            if (!expectedGroups.containsKey(group.getKey())) {
                group.getValue().forEach(row -> differences.add(table + ": extra row " + row));
            }
        }
        List<String> reported = differences.size() <= MAX_REPORTED ? differences
                : new ArrayList<>(differences.subList(0, MAX_REPORTED));
        if (differences.size() > MAX_REPORTED) {
            reported.add(table + ": ... and " + (differences.size() - MAX_REPORTED) + " more differences");
        }
        return new Result(table, expected.size(), withinTolerance, reported);
    }

    /** Rows grouped by their exact part, each group sorted by the whole row's text. */
    private static Map<String, List<JsonNode>> groups(List<JsonNode> rows) {
        Map<String, List<JsonNode>> groups = new TreeMap<>();
        for (JsonNode row : rows) {
            groups.computeIfAbsent(exactPart(row).toString(), key -> new ArrayList<>()).add(row);
        }
        groups.values().forEach(group -> group.sort((a, b) -> a.toString().compareTo(b.toString())));
        return groups;
    }

    private static JsonNode exactPart(JsonNode node) {
        if (isFractional(node)) {
            return TextNode.valueOf("~");
        }
        if (node.isContainerNode()) {
            JsonNode copy = node.deepCopy();
            if (copy.isObject()) {
                ObjectNode object = (ObjectNode) copy;
                List<String> names = new ArrayList<>();
                object.fieldNames().forEachRemaining(names::add);
                for (String name : names) {
                    object.set(name, exactPart(object.get(name)));
                }
            }
            else {
                ArrayNode array = (ArrayNode) copy;
                for (int i = 0; i < array.size(); i++) {
                    array.set(i, exactPart(array.get(i)));
                }
            }
            return copy;
        }
        return node;
    }

    private static boolean isFractional(JsonNode node) {
        return node.isNumber() && !node.isIntegralNumber()
                && node.decimalValue().stripTrailingZeros().scale() > 0;
    }

    /** Adds the paths that differ to {@code differences}; true when some fraction differed within the tolerance. */
    private static boolean compareValues(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected.isNumber() && actual.isNumber()) {
            BigDecimal a = expected.decimalValue();
            BigDecimal b = actual.decimalValue();
            if (a.compareTo(b) == 0) {
                return false;
            }
            BigDecimal scale = a.abs().max(b.abs());
            BigDecimal relative = a.subtract(b).abs().divide(scale, MathContext.DECIMAL64);
            if (relative.doubleValue() <= RELATIVE_TOLERANCE) {
                return true;
            }
            differences.add(path + ": " + expected + " vs " + actual);
            return false;
        }
        if (expected.isObject() && actual.isObject()) {
            boolean tolerated = false;
            List<String> names = new ArrayList<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(name -> {
                if (!expected.has(name)) {
                    differences.add(path + name + ": absent vs " + actual.get(name));
                }
            });
            for (String name : names) {
                JsonNode other = actual.get(name);
                if (other == null) {
                    differences.add(path + name + ": " + expected.get(name) + " vs absent");
                    continue;
                }
                tolerated |= compareValues(path + name, expected.get(name), other, differences);
            }
            return tolerated;
        }
        if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            boolean tolerated = false;
            Iterator<JsonNode> a = expected.elements();
            Iterator<JsonNode> b = actual.elements();
            for (int i = 0; a.hasNext(); i++) {
                tolerated |= compareValues(path + "[" + i + "]", a.next(), b.next(), differences);
            }
            return tolerated;
        }
        if (!expected.equals(actual)) {
            differences.add((path.isEmpty() ? "value" : path) + ": " + expected + " vs " + actual);
        }
        return false;
    }
}
