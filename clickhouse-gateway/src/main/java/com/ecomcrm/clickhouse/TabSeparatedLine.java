package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

/**
 * One line of ClickHouse's {@code TabSeparated} output as its cells: tab between cells, and inside a cell a backslash
 * escape for backslash, tab, line feed and the other control characters ClickHouse escapes; a cell that is exactly
 * {@code \N} is NULL. Read for the customer export: about a third of the bytes of JSONEachRow and no object tree per
 * row.
 *
 * <p>A streamed result can end with ClickHouse's error text after rows already sent (no buffering on the server): a
 * line without exactly the expected number of cells is such an error, reported as one rather than read as a row.
 */
final class TabSeparatedLine {
    private TabSeparatedLine() {
    }

    /** The cells of {@code line}, NULL as {@code null}; exactly {@code columns} of them or a DomainException. */
    static String[] cells(String line, int columns) {
        String[] cells = new String[columns];
        int cell = 0;
        int cellStart = 0; // where the cell's escaped text begins
        int start = 0; // where the text not yet copied begins
        StringBuilder unescaped = null;
        int length = line.length();
        for (int i = 0; i <= length; i++) {
            char c = i < length ? line.charAt(i) : '\t';
            if (c == '\\' && i + 1 < length) {
                if (unescaped == null) {
                    unescaped = new StringBuilder();
                }
                unescaped.append(line, start, i).append(unescape(line.charAt(i + 1)));
                i++;
                start = i + 1;
            }
            else if (c == '\t') {
                if (cell == columns) {
                    throw lateError(line);
                }
                String text;
                if (unescaped == null) {
                    text = line.substring(start, i);
                }
                else {
                    text = unescaped.append(line, start, i).toString();
                    unescaped = null;
                }
                cells[cell++] = isNull(line, cellStart, i) ? null : text;
                start = i + 1;
                cellStart = start;
            }
        }
        if (cell != columns) {
            throw lateError(line);
        }
        return cells;
    }

    /** {@code \N} as the whole cell (its escaped text; an escaped backslash before N reads as {@code \\N}). */
    private static boolean isNull(String line, int start, int end) {
        return end - start == 2 && line.charAt(start) == '\\' && line.charAt(start + 1) == 'N';
    }

    private static char unescape(char escaped) {
        return switch (escaped) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case '0' -> '\0';
            case 'a' -> '\u0007';
            case 'v' -> '\u000b';
            default -> escaped; // \\ \' and any other escaped character stand for themselves
        };
    }

    private static DomainException lateError(String line) {
        String cut = line.length() > 1000 ? line.substring(0, 1000) + "..." : line;
        return new DomainException(ErrorCode.INTERNAL, "ClickHouse failed while sending rows: " + cut.strip());
    }
}
