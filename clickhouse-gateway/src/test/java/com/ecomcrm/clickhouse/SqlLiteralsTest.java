package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlLiteralsTest {
    private static final long SEED = 20240611L;

    @Test
    void plainTextIsQuotedAsIs() {
        assertThat(SqlLiterals.string("hello world")).isEqualTo("'hello world'");
        assertThat(SqlLiterals.string("")).isEqualTo("''");
    }

    @Test
    void quotesBackslashesAndControlCharactersAreEscaped() {
        assertThat(SqlLiterals.string("O'Brien")).isEqualTo("'O\\'Brien'");
        assertThat(SqlLiterals.string("a\\b")).isEqualTo("'a\\\\b'");
        assertThat(SqlLiterals.string("\n\r\t\0")).isEqualTo("'\\n\\r\\t\\0'");
        assertThat(SqlLiterals.string("\u0001\u001b\u007f")).isEqualTo("'\\x01\\x1B\\x7F'");
    }

    @Test
    void unicodeAndEmojiPassThroughUnchanged() {
        assertThat(SqlLiterals.string("Zoë 😀 日本")).isEqualTo("'Zoë 😀 日本'");
    }

    @Test
    void anInjectionAttemptStaysInsideOneLiteral() {
        String literal = SqlLiterals.string("'; DROP TABLE x; --");
        assertThat(literal).isEqualTo("'\\'; DROP TABLE x; --'");
        assertThat(decode(literal)).isEqualTo("'; DROP TABLE x; --");
    }

    @Test
    void anUnpairedSurrogateIsRefusedRatherThanSilentlyReplaced() {
        assertThatThrownBy(() -> SqlLiterals.string("a\uD83Db"))
                .isInstanceOf(DomainException.class)
                .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThatThrownBy(() -> SqlLiterals.string("\uDE00")).isInstanceOf(DomainException.class);
    }

    @Test
    void fuzzedStringsFollowTheEscapingGrammarAndDecodeToTheInput() {
        for (String value : fuzzCorpus(5000)) {
            String literal = SqlLiterals.string(value);
            assertThat(literal).startsWith("'").endsWith("'");
            // No raw control character ever reaches the wire: they are what could end a line or a literal early.
            assertThat(literal.chars().filter(c -> c < 0x20 || c == 0x7f)).as("raw control chars in %s", literal).isEmpty();
            assertThat(decode(literal)).as("round trip of %s", literal).isEqualTo(value);
        }
    }

    @Test
    void identifiersAreCheckedNotEscaped() {
        assertThat(SqlLiterals.identifier("customer_rfm")).isEqualTo("customer_rfm");
        assertThat(SqlLiterals.identifier("_t1")).isEqualTo("_t1");
        for (String bad : List.of("", "1abc", "a-b", "a b", "t; DROP TABLE x", "`x`", "db.table", "é")) {
            assertThatThrownBy(() -> SqlLiterals.identifier(bad))
                    .isInstanceOf(DomainException.class)
                    .hasMessageStartingWith("Cannot use identifier")
                    .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        }
    }

    @Test
    void numbersRenderAsDigitsAndNegativesAreParenthesised() {
        assertThat(SqlLiterals.number(42)).isEqualTo("42");
        assertThat(SqlLiterals.number(-5)).isEqualTo("(-5)");
        assertThat(SqlLiterals.number(Long.MIN_VALUE)).isEqualTo("(-9223372036854775808)");
    }

    @Test
    void datesRenderAsToDate() {
        assertThat(SqlLiterals.date(LocalDate.of(2024, 2, 29))).isEqualTo("toDate('2024-02-29')");
        assertThatThrownBy(() -> SqlLiterals.date(LocalDate.of(10000, 1, 1))).isInstanceOf(DomainException.class);
    }

    @Test
    @Tag(TestClickHouse.TAG)
    void fuzzedLiteralsRoundTripThroughTheRealServer() {
        try (ClickHouseGateway gateway = TestClickHouse.gatewayOrSkip()) {
            List<String> corpus = fuzzCorpus(3000);
            int batch = 250;
            for (int from = 0; from < corpus.size(); from += batch) {
                List<String> values = corpus.subList(from, Math.min(corpus.size(), from + batch));
                StringBuilder sql = new StringBuilder("SELECT [");
                for (int i = 0; i < values.size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append(SqlLiterals.string(values.get(i)));
                }
                sql.append("] AS s");
                List<JsonNode> rows = gateway.admin().query(sql.toString());
                assertThat(rows).hasSize(1);
                JsonNode s = rows.get(0).get("s");
                assertThat(s.size()).isEqualTo(values.size());
                for (int i = 0; i < values.size(); i++) {
                    assertThat(s.get(i).asText()).as("value %d of batch at %d: %s", i, from, SqlLiterals.string(values.get(i)))
                            .isEqualTo(values.get(i));
                }
            }
        }
    }

    @Test
    @Tag(TestClickHouse.TAG)
    void aSingleLiteralWithEveryAsciiCharacterRoundTrips() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            all.append(c);
        }
        String value = all + "'; DROP TABLE x; --\\'\\";
        try (ClickHouseGateway gateway = TestClickHouse.gatewayOrSkip()) {
            List<JsonNode> rows = gateway.admin().query("SELECT " + SqlLiterals.string(value) + " AS s");
            assertThat(rows.get(0).get("s").asText()).isEqualTo(value);
        }
    }

    /** Fixed nasty cases, every ASCII character alone, then seeded random strings. */
    static List<String> fuzzCorpus(int randomCount) {
        List<String> out = new ArrayList<>(List.of("", "'", "\\", "\\'", "'\\", "''", "\\\\'", "'; DROP TABLE x; --",
                "\"", "`", "{shop}", "\u0000", "a\u0000b", "😀", "\u2028\u2029", "\uFEFF", "\uFFFD", "\\x41", "\\0",
                "\\n", "-- comment", "/* c */", "FORMAT TSV"));
        for (char c = 0; c < 0x80; c++) {
            out.add(String.valueOf(c));
        }
        Random random = new Random(SEED);
        for (int n = 0; n < randomCount; n++) {
            int length = random.nextInt(48);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                s.appendCodePoint(randomCodePoint(random));
            }
            out.add(s.toString());
        }
        return out;
    }

    private static int randomCodePoint(Random random) {
        int kind = random.nextInt(10);
        return switch (kind) {
            case 0, 1, 2, 3 -> random.nextInt(0x80);                       // any ASCII, controls included
            case 4 -> "'\\\"`\n\r\t\0".charAt(random.nextInt(8));           // the characters that matter most
            case 5 -> 0x80 + random.nextInt(0x780);                        // Latin-1 and friends (2-byte UTF-8)
            case 6, 7 -> {                                                  // rest of the BMP, no surrogates
                int cp;
                do {
                    cp = 0x800 + random.nextInt(0x10000 - 0x800);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                yield cp;
            }
            case 8 -> 0x1F300 + random.nextInt(0x300);                     // emoji
            default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);       // any supplementary code point
        };
    }

    /**
     * Reads a literal back with ClickHouse's string grammar (the subset SqlLiterals emits): '...' with \\ \' \n \r
     * \t \0 \xHH escapes. Fails on anything else, so the test also pins down which escapes are used.
     */
    static String decode(String literal) {
        assertThat(literal).startsWith("'").endsWith("'").hasSizeGreaterThanOrEqualTo(2);
        StringBuilder out = new StringBuilder();
        int i = 1;
        int end = literal.length() - 1;
        while (i < end) {
            char c = literal.charAt(i);
            if (c == '\'') {
                throw new AssertionError("unescaped quote at " + i + " in " + literal);
            }
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= end) {
                throw new AssertionError("dangling backslash in " + literal);
            }
            char e = literal.charAt(i + 1);
            switch (e) {
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '0' -> out.append('\0');
                case 'x' -> {
                    out.append((char) Integer.parseInt(literal.substring(i + 2, i + 4), 16));
                    i += 2;
                }
                default -> throw new AssertionError("unexpected escape \\" + e + " in " + literal);
            }
            i += 2;
        }
        return out.toString();
    }
}
