package com.ecomcrm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The comparison the cluster parity test relies on must be able to fail: each kind of difference is caught. */
class RowComparisonTest {
    private static final List<String> RUN = List.of(
            "{\"shop_id\":\"a\",\"customer_id\":1,\"segment\":\"CHAMPIONS\",\"p_alive\":0.8123456789012345,\"clv\":12.30}",
            "{\"shop_id\":\"a\",\"customer_id\":2,\"segment\":\"AT_RISK\",\"p_alive\":0.25,\"clv\":0.00}",
            "{\"shop_id\":\"b\",\"customer_id\":1,\"segment\":\"PROSPECTS\",\"p_alive\":null,\"clv\":null}");

    @Test
    void theSameRowsInAnotherOrderAreEqualAndBitIdentical() {
        RowComparison.Result result = compare(RUN, List.of(RUN.get(2), RUN.get(0), RUN.get(1)));

        assertThat(result.equal()).isTrue();
        assertThat(result.rows()).isEqualTo(3);
        assertThat(result.rowsWithinTolerance()).isZero();
    }

    @Test
    void aDroppedRowAsFromALostPartitionIsReported() {
        RowComparison.Result result = compare(RUN, RUN.subList(0, 2));

        assertThat(result.equal()).isFalse();
        assertThat(result.differences()).containsExactly("t: 3 rows expected, 2 found",
                "t: missing row {\"shop_id\":\"b\",\"customer_id\":1,\"segment\":\"PROSPECTS\",\"p_alive\":null,"
                        + "\"clv\":null}");
    }

    @Test
    void aDuplicatedRowIsReportedAsExtra() {
        RowComparison.Result result = compare(RUN, Stream.concat(RUN.stream(), Stream.of(RUN.get(1))).toList());

        assertThat(result.differences()).hasSize(2).last().asString().startsWith("t: extra row");
    }

    @Test
    void integersStringsAndMoneyMustBeExact() {
        RowComparison.Result segment = compare(RUN, List.of(RUN.get(0), RUN.get(1).replace("AT_RISK", "LOST"),
                RUN.get(2)));
        RowComparison.Result money = compare(RUN, List.of(RUN.get(0).replace("12.30", "12.31"), RUN.get(1),
                RUN.get(2)));

        assertThat(segment.equal()).isFalse();
        assertThat(String.join("\n", segment.differences())).contains("AT_RISK", "LOST");
        assertThat(money.differences()).singleElement().asString().contains("clv: 12.30 vs 12.31");
    }

    @Test
    void modelDoublesMayDifferInTheLastBitsButNotMore() {
        RowComparison.Result lastBits = compare(RUN, List.of(
                RUN.get(0).replace("0.8123456789012345", "0.8123456789012346"), RUN.get(1), RUN.get(2)));
        RowComparison.Result tooFar = compare(RUN, List.of(
                RUN.get(0).replace("0.8123456789012345", "0.8123456799"), RUN.get(1), RUN.get(2)));

        assertThat(lastBits.equal()).isTrue();
        assertThat(lastBits.rowsWithinTolerance()).isEqualTo(1);
        assertThat(tooFar.differences()).singleElement().asString()
                .contains("p_alive: 0.8123456789012345 vs 0.8123456799");
    }

    @Test
    void aValueTurnedNullIsADifference() {
        RowComparison.Result result = compare(RUN, List.of(RUN.get(0), RUN.get(1).replace("0.25", "null"),
                RUN.get(2)));

        assertThat(result.equal()).isFalse();
    }

    private static RowComparison.Result compare(List<String> expected, List<String> actual) {
        return RowComparison.compare("t", rows(expected), rows(actual));
    }

    private static List<JsonNode> rows(List<String> lines) {
        return lines.stream().map(RowComparison::parse).toList();
    }
}
