package com.ecomcrm.bench.baseline;

import com.ecomcrm.models.CustomerHistory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The customers' (frequency, recency, T) as the CSV that the {@code lifetimes} baseline reads
 * ({@code bench/lifetimes/fit_bgnbd.py}): one row per customer, columns named as lifetimes names them, times in
 * weeks. Numbers are written with {@link Double#toString}, which reads back to the same double, so both fits see
 * exactly the same data.
 */
public final class HistoryCsv {
    public static final String HEADER = "frequency,recency,T";

    private HistoryCsv() {
    }

    public static void write(List<CustomerHistory> histories, Path file) throws IOException {
        requireNonNull(histories, "histories is null");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(histories, out);
        }
    }

    public static void write(List<CustomerHistory> histories, Writer out) throws IOException {
        out.write(HEADER);
        out.write('\n');
        for (CustomerHistory h : histories) {
            out.write(Integer.toString(h.frequency()));
            out.write(',');
            out.write(Double.toString(h.recency()));
            out.write(',');
            out.write(Double.toString(h.age()));
            out.write('\n');
        }
    }
}
