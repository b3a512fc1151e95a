package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a transaction log in the CDNOW format, one purchase line per row, fields separated by whitespace, LF or CRLF
 * line ends:
 *
 * <ul>
 *   <li>CDNOW_master.txt, 4 columns: customer id, date (yyyymmdd), quantity, amount; an optional header line;</li>
 *   <li>CDNOW_sample.txt, 5 columns: customer id, the sample's own customer number, date, quantity, amount.</li>
 * </ul>
 *
 * The first data line fixes the number of columns; a line with another number of columns, a bad date, a negative or
 * non-integer quantity or a bad amount fails the import with the line number. Blank lines are skipped; a first line
 * whose first field is not a number is taken as a header and skipped. The customer id is the first column, as written
 * (leading zeros kept). The quantity is checked but not kept: the models count purchase days and their value.
 */
public final class CdnowImporter {
    private static final Pattern FIELDS = Pattern.compile("\\s+");
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(ResolverStyle.STRICT);

    private CdnowImporter() {
    }

    /** Purchases per customer id, customers ordered by id, each customer's purchases in file order. */
    public static Map<String, List<Purchase>> read(Path file) {
        Map<String, List<Purchase>> byCustomer = new TreeMap<>();
        for (Purchase purchase : readPurchases(file)) {
            byCustomer.computeIfAbsent(purchase.customerId(), k -> new ArrayList<>()).add(purchase);
        }
        byCustomer.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(byCustomer);
    }

    /** All purchase lines of the file, in file order. */
    public static List<Purchase> readPurchases(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            List<Purchase> purchases = new ArrayList<>();
            int columns = 0;
            int lineNumber = 0;
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                String[] fields = FIELDS.split(trimmed);
                if (columns == 0 && purchases.isEmpty() && !Character.isDigit(fields[0].charAt(0))) {
                    continue; // header line
                }
                if (columns == 0) {
                    if (fields.length != 4 && fields.length != 5) {
                        throw malformed(file, lineNumber, "it has " + fields.length
                                + " columns, not 4 (master format) or 5 (sample format)");
                    }
                    columns = fields.length;
                }
                if (fields.length != columns) {
                    throw malformed(file, lineNumber, "it has " + fields.length + " columns where the file has "
                            + columns);
                }
                purchases.add(parse(file, lineNumber, fields, columns == 5 ? 2 : 1));
            }
            return purchases;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read CDNOW file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Purchase parse(Path file, int lineNumber, String[] fields, int dateColumn) {
        LocalDate date;
        try {
            date = LocalDate.parse(fields[dateColumn], DATE);
        } catch (DateTimeParseException e) {
            throw malformed(file, lineNumber, "date '" + fields[dateColumn] + "' is not a yyyymmdd date");
        }
        String quantity = fields[dateColumn + 1];
        try {
            if (Integer.parseInt(quantity) < 0) {
                throw malformed(file, lineNumber, "quantity " + quantity + " is negative");
            }
        } catch (NumberFormatException e) {
            throw malformed(file, lineNumber, "quantity '" + quantity + "' is not a whole number");
        }
        String amountText = fields[dateColumn + 2];
        BigDecimal amount;
        try {
            amount = new BigDecimal(amountText);
        } catch (NumberFormatException e) {
            throw malformed(file, lineNumber, "amount '" + amountText + "' is not a number");
        }
        if (amount.signum() < 0) {
            throw malformed(file, lineNumber, "amount " + amountText + " is negative");
        }
        return new Purchase(fields[0], date, amount);
    }

    private static DomainException malformed(Path file, int lineNumber, String why) {
        return new DomainException(ErrorCode.INVALID_INPUT,
                "Cannot import line " + lineNumber + " of " + file + ": " + why);
    }
}
