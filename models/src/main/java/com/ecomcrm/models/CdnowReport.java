package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Validation against the published CDNOW fits: imports a CDNOW-format log, fits BG/NBD and Gamma-Gamma as of the
 * calibration end and compares the BG/NBD conditional expectation with the holdout.
 *
 * <pre>
 *   CdnowReport --file PATH [--calibration-end 1997-09-30] [--holdout-end 1998-06-30]
 * </pre>
 *
 * Prints one JSON object on standard output:
 * <pre>
 *   {"file", "calibration_end", "holdout_end", "customers",
 *    "bgnbd": {"r", "alpha", "a", "b", "log_likelihood", "iterations", "converged"},
 *    "gamma_gamma": {"p", "q", "v", "log_likelihood", "customers", "converged"},
 *    "holdout": {"weeks", "actual", "predicted",
 *                "by_calibration_frequency": [{"x", "x_label", "customers", "actual", "predicted"}, ...]}}
 * </pre>
 * where holdout {@code actual} is the number of purchase days in (calibration end, holdout end] summed over the
 * calibration customers and {@code predicted} the sum of their E[Y(t) | x, t_x, T] for t = the holdout length in
 * weeks; {@code by_calibration_frequency} splits both by calibration x = 0..5 and 6+ (x = 6, x_label "6+"). Fit times
 * go to standard error. Exit status 2 on bad arguments or input.
 */
public final class CdnowReport {
    static final LocalDate DEFAULT_CALIBRATION_END = LocalDate.of(1997, 9, 30);
    static final LocalDate DEFAULT_HOLDOUT_END = LocalDate.of(1998, 6, 30);
    static final int TOP_FREQUENCY = 6;

    private CdnowReport() {
    }

    public static void main(String[] args) throws Exception {
        Path file = null;
        LocalDate calibrationEnd = DEFAULT_CALIBRATION_END;
        LocalDate holdoutEnd = DEFAULT_HOLDOUT_END;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--file" -> file = Path.of(required(args[i], value));
                    case "--calibration-end" -> calibrationEnd = LocalDate.parse(required(args[i], value));
                    case "--holdout-end" -> holdoutEnd = LocalDate.parse(required(args[i], value));
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
                i++;
            }
            if (file == null) {
                throw new IllegalArgumentException("--file is required");
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no file at " + file);
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            System.err.println("Cannot run the CDNOW report: " + e.getMessage());
            System.err.println("usage: CdnowReport --file PATH [--calibration-end 1997-09-30]"
                    + " [--holdout-end 1998-06-30]");
            System.exit(2);
            return;
        }
        try {
            long start = System.nanoTime();
            List<Purchase> purchases = CdnowImporter.readPurchases(file);
            ObjectNode report = build(purchases, calibrationEnd, holdoutEnd);
            report.put("file", file.toString());
            System.err.printf("CDNOW report: %d purchase lines, %d customers, %.0f ms in all%n", purchases.size(),
                    report.get("customers").asInt(), (System.nanoTime() - start) / 1e6);
            System.out.println(new ObjectMapper().writeValueAsString(report));
        } catch (DomainException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** The report's JSON object (without "file") for these purchases. */
    public static ObjectNode build(List<Purchase> purchases, LocalDate calibrationEnd, LocalDate holdoutEnd) {
        List<CustomerHistory> histories = CalibrationSummary.of(purchases, calibrationEnd);
        Map<String, Integer> holdout = CalibrationSummary.holdoutPurchaseDays(purchases, calibrationEnd, holdoutEnd);
        long bgStart = System.nanoTime();
        BgNbdParameters bg = BgNbdFit.fit(histories);
        long ggStart = System.nanoTime();
        GammaGammaParameters gg = GammaGamma.fit(histories);
        long end = System.nanoTime();
        System.err.printf("CDNOW report: BG/NBD fit %.0f ms, Gamma-Gamma fit %.0f ms%n", (ggStart - bgStart) / 1e6,
                (end - ggStart) / 1e6);

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode report = mapper.createObjectNode();
        report.put("calibration_end", calibrationEnd.toString());
        report.put("holdout_end", holdoutEnd.toString());
        report.put("customers", histories.size());
        ObjectNode bgNode = report.putObject("bgnbd");
        bgNode.put("r", round(bg.r()));
        bgNode.put("alpha", round(bg.alpha()));
        bgNode.put("a", round(bg.a()));
        bgNode.put("b", round(bg.b()));
        bgNode.put("log_likelihood", round(bg.logLikelihood()));
        bgNode.put("iterations", bg.iterations());
        bgNode.put("converged", bg.converged());
        ObjectNode ggNode = report.putObject("gamma_gamma");
        ggNode.put("p", round(gg.p()));
        ggNode.put("q", round(gg.q()));
        ggNode.put("v", round(gg.v()));
        ggNode.put("log_likelihood", round(gg.logLikelihood()));
        ggNode.put("customers", GammaGamma.groups(histories).stream().mapToLong(g -> g.count()).sum());
        ggNode.put("converged", gg.converged());

        double weeks = CalibrationSummary.weeksBetween(calibrationEnd, holdoutEnd);
        long[] customers = new long[TOP_FREQUENCY + 1];
        long[] actual = new long[TOP_FREQUENCY + 1];
        double[] predicted = new double[TOP_FREQUENCY + 1];
        for (CustomerHistory h : histories) {
            int bucket = Math.min(h.frequency(), TOP_FREQUENCY);
            customers[bucket]++;
            actual[bucket] += holdout.getOrDefault(h.id(), 0);
            predicted[bucket] += BgNbd.expectedPurchases(bg, h, weeks);
        }
        ObjectNode holdoutNode = report.putObject("holdout");
        holdoutNode.put("weeks", round(weeks));
        long actualTotal = 0;
        double predictedTotal = 0;
        for (int i = 0; i <= TOP_FREQUENCY; i++) {
            actualTotal += actual[i];
            predictedTotal += predicted[i];
        }
        holdoutNode.put("actual", actualTotal);
        holdoutNode.put("predicted", round(predictedTotal));
        ArrayNode byFrequency = holdoutNode.putArray("by_calibration_frequency");
        for (int i = 0; i <= TOP_FREQUENCY; i++) {
            ObjectNode row = byFrequency.addObject();
            row.put("x", i);
            row.put("x_label", i == TOP_FREQUENCY ? TOP_FREQUENCY + "+" : Integer.toString(i));
            row.put("customers", customers[i]);
            row.put("actual", actual[i]);
            row.put("predicted", round(predicted[i]));
        }
        return report;
    }

    private static String required(String flag, String value) {
        if (value == null || value.startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    /** Six decimals: enough to compare with any published figure, short enough to read. */
    private static double round(double value) {
        return Math.round(value * 1e6) / 1e6;
    }
}
