package com.ecomcrm.api.customers;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CSV cells: formula-safe by one stated rule, and still read back exactly by a CSV parser. */
class CustomerCsvTest {

    @Test
    void aCellThatWouldStartAFormulaIsPrefixedWithAnApostrophe() {
        assertThat(CustomerCsv.cell("=1+1")).isEqualTo("'=1+1");
        assertThat(CustomerCsv.cell("+33 6 12 34 56 78")).isEqualTo("'+33 6 12 34 56 78");
        assertThat(CustomerCsv.cell("-2+3")).isEqualTo("'-2+3");
        assertThat(CustomerCsv.cell("@SUM(A1:A9)")).isEqualTo("'@SUM(A1:A9)");
        assertThat(CustomerCsv.cell("\t=HYPERLINK(\"http://evil\")")).isEqualTo("'\t=HYPERLINK(\"http://evil\")");
        assertThat(CustomerCsv.cell("\r=1")).isEqualTo("'\r=1");
        assertThat(CustomerCsv.cell("-")).isEqualTo("'-");
    }

    @Test
    void predictionsAreWrittenInTheShortestPlainFormOfTheirDouble() {
        assertThat(CustomerCsv.decimal(0.5)).isEqualTo("0.5");
        assertThat(CustomerCsv.decimal(100.0)).isEqualTo("100");
        assertThat(CustomerCsv.decimal(0.0)).isEqualTo("0");
        assertThat(CustomerCsv.decimal(-0.0)).isEqualTo("0");
        assertThat(CustomerCsv.decimal(1.0E-5)).isEqualTo("0.00001");
        assertThat(CustomerCsv.decimal(1.5E7)).isEqualTo("15000000");
        assertThat(CustomerCsv.decimal(Double.NaN)).isEmpty();
        // The same text as the exact BigDecimal form, over values of every magnitude the models give.
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 100_000; i++) {
            double value = (random.nextDouble() - 0.2) * Math.pow(10, random.nextInt(16) - 8);
            assertThat(CustomerCsv.decimal(value)).as("%s", value)
                    .isEqualTo(java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString());
        }
    }

    @Test
    void numbersKeysAndDatesStayAsTheyAre() {
        assertThat(CustomerCsv.cell("-12.50")).isEqualTo("-12.50");
        assertThat(CustomerCsv.cell("-3")).isEqualTo("-3");
        assertThat(CustomerCsv.cell("1999.00")).isEqualTo("1999.00");
        assertThat(CustomerCsv.cell("AT_RISK")).isEqualTo("AT_RISK");
        assertThat(CustomerCsv.cell("2026-12-10")).isEqualTo("2026-12-10");
        assertThat(CustomerCsv.cell("")).isEmpty();
        assertThat(CustomerCsv.cell("a=b")).isEqualTo("a=b");
    }

    @Test
    void prefixedCellsParseBackAsTextWithTheirApostrophe() throws Exception {
        List<String> header = List.of("a", "b", "c");
        String text = CustomerCsv.records(List.of(header, List.of("=cmd|' /C calc'!A0", "-12.50", "x,\"y\"")));

        try (CSVParser parser = CSVParser.parse(text, CSVFormat.RFC4180.builder().setHeader()
                .setSkipHeaderRecord(true).get())) {
            assertThat(parser.getRecords().get(0).toList())
                    .containsExactly("'=cmd|' /C calc'!A0", "-12.50", "x,\"y\"");
        }
    }

    @Test
    void aRecordWrittenDirectlyIsTheRecordCommonsCsvWrites() {
        // Cells drawn from what a row holds and from characters CSV treats specially, in every position.
        List<String> pieces = List.of("", "0", "12.50", "-3", "-12.50", "AT_RISK", "At risk", "Needs attention",
                "2026-12-10", " x", "x ", "a b", "a,b", "a\"b", "a\nb", "a\rb", "=1", "+1", "@x", "#1", "!x", "'x",
                "\tx", "x\t", "é", "a:b", "-", "_x");
        java.util.Random random = new java.util.Random(11);
        int direct = 0;
        for (int i = 0; i < 20_000; i++) {
            int cells = 1 + random.nextInt(5);
            List<String> record = new java.util.ArrayList<>();
            for (int c = 0; c < cells; c++) {
                record.add(pieces.get(random.nextInt(pieces.size())));
            }
            StringBuilder fast = new StringBuilder();
            StringBuilder printed = new StringBuilder();
            CustomerCsv.append(fast, record);
            CustomerCsv.print(printed, record);
            assertThat(fast.toString()).as("%s", record).isEqualTo(printed.toString());
            if (CustomerCsv.plain(record)) {
                direct++;
            }
        }
        assertThat(direct).as("records that took the direct path").isGreaterThan(100);
    }

    @Test
    void moneyIsThePlainDecimalOfItsCents() {
        java.util.Random random = new java.util.Random(5);
        List<Long> edges = List.of(0L, 1L, -1L, 9L, -9L, 10L, -10L, 99L, -99L, 100L, -100L, 101L, -101L, 123_456L,
                Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1);
        for (long cents : edges) {
            assertThat(CustomerJson.money(cents)).as("%d", cents)
                    .isEqualTo(java.math.BigDecimal.valueOf(cents, 2).toPlainString());
        }
        for (int i = 0; i < 100_000; i++) {
            long cents = random.nextLong() >> random.nextInt(64);
            assertThat(CustomerJson.money(cents)).as("%d", cents)
                    .isEqualTo(java.math.BigDecimal.valueOf(cents, 2).toPlainString());
        }
    }
}
