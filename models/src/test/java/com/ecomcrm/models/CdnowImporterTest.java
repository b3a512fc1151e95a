package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CdnowImporterTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void readsTheSampleFormatWithItsExtraColumnAndCrlfLineEnds() throws IOException {
        Path file = write("sample.txt", " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n"
                + " 00021 0002 19970101  3   63.34\r\n");
        Map<String, List<Purchase>> purchases = CdnowImporter.read(file);
        assertThat(purchases).containsOnlyKeys("00004", "00021");
        assertThat(purchases.get("00004")).containsExactly(
                new Purchase("00004", LocalDate.of(1997, 1, 1), new BigDecimal("29.33")),
                new Purchase("00004", LocalDate.of(1997, 1, 18), new BigDecimal("29.73")));
    }

    @Test
    void readsTheMasterFormatSkippingItsHeader() throws IOException {
        Path file = write("master.txt", " customer_id  date number_of_cds  dollar_value\r\n"
                + " 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n\r\n");
        Map<String, List<Purchase>> purchases = CdnowImporter.read(file);
        assertThat(purchases.get("00002")).hasSize(2);
        assertThat(purchases.get("00001").get(0).amount()).isEqualByComparingTo("11.77");
    }

    @Test
    void readsTheWholeSampleFile() {
        Map<String, List<Purchase>> purchases = CdnowImporter.read(CdnowData.sample());
        assertThat(purchases).hasSize(2357);
        assertThat(purchases.values().stream().mapToInt(List::size).sum()).isEqualTo(6919);
    }

    @Test
    void namesTheLineOfAMalformedRecord() throws IOException {
        Path columns = write("bad1.txt", " 00001 19970101  1   11.77\r\n 00002 19970112  1\r\n");
        assertThatThrownBy(() -> CdnowImporter.read(columns)).isInstanceOf(DomainException.class)
                .hasMessage("Cannot import line 2 of " + columns + ": it has 3 columns where the file has 4");
        Path date = write("bad2.txt", " 00001 19970101  1   11.77\r\n 00001 19970101  1   1.0\r\n"
                + " 00002 19970230  1   12.00\r\n");
        assertThatThrownBy(() -> CdnowImporter.read(date)).isInstanceOf(DomainException.class)
                .hasMessage("Cannot import line 3 of " + date + ": date '19970230' is not a yyyymmdd date");
        Path amount = write("bad3.txt", " 00001 0001 19970101  1   eleven\r\n");
        assertThatThrownBy(() -> CdnowImporter.read(amount)).isInstanceOf(DomainException.class)
                .hasMessage("Cannot import line 1 of " + amount + ": amount 'eleven' is not a number");
    }
}
