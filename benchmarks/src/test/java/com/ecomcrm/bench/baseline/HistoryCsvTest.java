package com.ecomcrm.bench.baseline;

import com.ecomcrm.models.CustomerHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryCsvTest {
    @Test
    void writesOneRowPerCustomerWithLifetimesColumnNames() throws IOException {
        StringWriter out = new StringWriter();
        HistoryCsv.write(List.of(new CustomerHistory("a", 0, 0, 39, 0),
                new CustomerHistory("b", 3, 20.0 / 7, 200.0 / 7, 12.5)), out);
        assertThat(out.toString()).isEqualTo("frequency,recency,T\n"
                + "0,0.0,39.0\n"
                + "3," + (20.0 / 7) + "," + (200.0 / 7) + "\n");
    }

    @Test
    void numbersReadBackToTheSameDoubles(@TempDir Path dir) throws IOException {
        List<CustomerHistory> customers = BgNbdSimulation.cdnowLike().customers(2_000, 5L);
        Path csv = dir.resolve("customers.csv");
        HistoryCsv.write(customers, csv);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(2_001);
        for (int i = 0; i < customers.size(); i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertThat(Integer.parseInt(cells[0])).isEqualTo(customers.get(i).frequency());
            assertThat(Double.parseDouble(cells[1])).isEqualTo(customers.get(i).recency());
            assertThat(Double.parseDouble(cells[2])).isEqualTo(customers.get(i).age());
        }
    }
}
