package com.ecomcrm.api.customers;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The CSV form of customers, written by Apache Commons CSV (RFC 4180: comma-separated, CRLF line ends, fields with a
 * comma, quote or line break quoted and inner quotes doubled). Empty fields stand for "none" (a prospect's recency,
 * a customer without predictions).
 *
 * <p>Formula injection (a cell a spreadsheet would run as a formula): every cell goes through {@link #cell}, whose
 * rule is: a value that starts with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return gets a
 * leading apostrophe ({@code '=1+1}), which spreadsheets show as text and never evaluate; a plain number
 * ({@code -12.50}, {@code -3}) is left alone, since a spreadsheet reads it as a number, not a formula, and a prefix
 * would turn money into text. Today's columns hold only numbers, dates and our own keys; the rule is there so a
 * column of text a customer or merchant typed (a name, a tag) can never become a formula.
 */
final class CustomerCsv {
    static final List<String> HEADER = List.of("customer_id", "segment", "segment_name", "recency_days", "frequency",
            "monetary", "r_score", "f_score", "m_score", "prediction_status", "expected_orders_30d",
            "expected_orders_90d", "expected_orders_365d", "probability_alive", "expected_order_value", "clv_12m",
            "clv_12m_low", "clv_12m_high", "churn_risk", "next_order_date");
    static final CSVFormat FORMAT = CSVFormat.RFC4180;
    /** A number a spreadsheet reads as a number: optional minus, digits, optional decimals. */
    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

    private CustomerCsv() {
    }

    static String header() {
        return records(List.of(HEADER));
    }

    static String rows(List<CustomerRow> rows) {
        List<List<String>> records = new ArrayList<>(rows.size());
        for (CustomerRow row : rows) {
            records.add(fields(row));
        }
        return records(records);
    }

    /** Any records as CSV text; package-private so the escaping itself can be tested with awkward values. */
    static String records(List<? extends List<String>> records) {
        StringBuilder out = new StringBuilder(records.size() * 160);
        for (List<String> record : records) {
            append(out, record);
        }
        return out.toString();
    }

    /** Appends one record (its cells made formula-safe by {@link #cell}) to {@code out}. */
    static void append(StringBuilder out, List<String> record) {
        // Today's cells are numbers, dates and our keys, which RFC 4180 writes as they are: such a record is appended
        // directly (a printer per record was a sixth of an export's CPU). Anything else goes through Commons CSV.
        if (plain(record)) {
            for (int i = 0; i < record.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(record.get(i));
            }
            out.append("\r\n");
            return;
        }
        print(out, record);
    }

    /** {@link #append} through Commons CSV, whatever the cells; package-private to compare the two paths. */
    static void print(StringBuilder out, List<String> record) {
        try {
            CSVPrinter printer = new CSVPrinter(out, FORMAT);
            for (String value : record) {
                printer.print(cell(value));
            }
            printer.println();
            // Not closed: closing a printer over a StringBuilder only flushes, and the builder stays in use.
        }
        catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not fail
        }
    }

    /**
     * Whether every cell is one Commons CSV writes unquoted and unchanged, whatever its version: letters, digits,
     * {@code . _ : -} and inner spaces, not starting with {@code -} (the formula rule may prefix it), and not empty at
     * the record's start (quoted there, so that a record of one empty cell is not an empty line).
     */
    static boolean plain(List<String> record) {
        for (int i = 0; i < record.size(); i++) {
            String value = record.get(i);
            if (value == null) {
                return false;
            }
            if (value.isEmpty()) {
                if (i == 0) {
                    return false;
                }
                continue;
            }
            if (value.charAt(0) == '-') {
                return false;
            }
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                boolean safe = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                        || ch == '.' || ch == '_' || ch == ':' || ch == '-'
                        || (ch == ' ' && c > 0 && c < value.length() - 1); // "At risk"; an edge space is quoted
                if (!safe) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The value as a cell no spreadsheet runs as a formula (the rule is in the class comment). */
    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        boolean formulaStart = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t'
                || first == '\r';
        return formulaStart && !PLAIN_NUMBER.matcher(value).matches() ? "'" + value : value;
    }

    static List<String> fields(CustomerRow row) {
        List<String> f = new ArrayList<>(HEADER.size());
        f.add(Long.toString(row.customerId()));
        f.add(row.segment());
        f.add(CustomerJson.segmentName(row.segment()));
        f.add(row.recencyDays().isPresent() ? Integer.toString(row.recencyDays().getAsInt()) : "");
        f.add(Long.toString(row.frequency()));
        f.add(CustomerJson.money(row.monetaryCents()));
        f.add(Integer.toString(row.rScore()));
        f.add(Integer.toString(row.fScore()));
        f.add(Integer.toString(row.mScore()));
        f.add(row.predictionStatus().orElse(""));
        if (row.predictions().isPresent()) {
            CustomerPredictions p = row.predictions().get();
            f.add(decimal(p.expectedOrders30d()));
            f.add(decimal(p.expectedOrders90d()));
            f.add(decimal(p.expectedOrders365d()));
            f.add(decimal(p.probabilityAlive()));
            f.add(CustomerJson.money(p.expectedOrderValueCents()));
            f.add(CustomerJson.money(p.clv12mCents()));
            f.add(CustomerJson.money(p.clvLowCents()));
            f.add(CustomerJson.money(p.clvHighCents()));
            f.add(p.churnRisk());
            f.add(p.nextOrderDate().map(Object::toString).orElse(""));
        }
        else {
            while (f.size() < HEADER.size()) {
                f.add("");
            }
        }
        return f;
    }

    /** Plain notation (no 1.0E-5, which spreadsheets may misread), shortest exact form of the double. */
    static String decimal(double value) {
        if (!Double.isFinite(value)) {
            return "";
        }
        // BigDecimal.valueOf reads Double.toString; when that has no exponent (1e-3 <= |value| < 1e7, and 0), the
        // plain form is that text without trailing zeros. Four columns of every exported row: the BigDecimal round
        // trip was a fifth of an export's CPU.
        String text = Double.toString(value);
        if (text.indexOf('E') >= 0) {
            return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
        }
        int end = text.length();
        while (text.charAt(end - 1) == '0') {
            end--;
        }
        if (text.charAt(end - 1) == '.') {
            end--;
        }
        String plain = text.substring(0, end);
        return plain.equals("-0") ? "0" : plain;
    }
}
