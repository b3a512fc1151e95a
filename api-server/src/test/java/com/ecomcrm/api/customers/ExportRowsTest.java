package com.ecomcrm.api.customers;

import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.clickhouse.SqlTemplate;
import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The export reads its rows as TabSeparated ({@link ClickHouseCustomerReader#row(String[])}) where every other read
 * uses JSON ({@link ClickHouseCustomerReader#row(com.fasterxml.jackson.databind.JsonNode)}): the same rows from the
 * real ClickHouse, awkward values included (NULL predictions and recency, a status without predictions, floats that
 * print with an exponent, infinity and NaN, 64-bit ids and cents), give the same CSV bytes either way.
 */
class ExportRowsTest {
    private static final ShopId SHOP = ShopId.of("export-rows.myshopify.com");
    /** The 22 columns of the reader's COLUMNS, in order, from literals. */
    private static final SqlTemplate ROWS = SqlTemplate.of("""
            SELECT toString(cid) AS cid, segment, rfm_recency, frequency, toString(monetary) AS monetary, r_score,
                   f_score, m_score, prediction_status, e30 AS expected_orders_30d, e90 AS expected_orders_90d,
                   e365 AS expected_orders_365d, alive AS probability_alive, toString(value) AS order_value,
                   toString(clv) AS clv, toString(low) AS clv_low, toString(high) AS clv_high, churn_risk,
                   toString(next_order_date) AS next_order, '1' AS publication, '2026-01-01' AS as_of,
                   '1' AS prediction_publication
            FROM (
                SELECT 9007199254740993 AS cid, 'CHAMPIONS' AS segment, toNullable(3) AS rfm_recency, 12 AS frequency,
                       toInt64(-123456789012345) AS monetary, 5 AS r_score, 4 AS f_score, 3 AS m_score,
                       'PREDICTED' AS prediction_status, toNullable(1e-05) AS e30, toNullable(1e22) AS e90,
                       toNullable(2.5) AS e365, toNullable(0.1) AS alive, toNullable(toInt64(-5)) AS value,
                       toNullable(toInt64(250619)) AS clv, toNullable(toInt64(0)) AS low,
                       toNullable(toInt64(9223372036854775807)) AS high, toNullable('LOW') AS churn_risk,
                       toNullable(toDate('2026-02-16')) AS next_order_date
                UNION ALL
                SELECT 2, 'NEW_PROSPECT', NULL, 0, toInt64(0), 0, 0, 0, 'NO_ORDERS', NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL, NULL, NULL, NULL
                UNION ALL
                SELECT 3, 'AT_RISK', toNullable(400), 2, toInt64(1999), 1, 2, 2, 'PREDICTED', toNullable(1/0),
                       toNullable(-1/0), toNullable(0/0), toNullable(0.0), toNullable(toInt64(1)),
                       toNullable(toInt64(2)), NULL, NULL, toNullable('HIGH'), NULL
                UNION ALL
                SELECT 4, 'LOST', toNullable(900), 1, toInt64(5), 1, 1, 1, '', NULL, NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL, NULL, NULL
            )
            WHERE {shop} != ''
            ORDER BY cid""");

    private ClickHouseGateway clickHouse;

    @BeforeEach
    void connect() {
        clickHouse = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment());
    }

    @AfterEach
    void close() {
        clickHouse.close();
    }

    @Test
    void tabSeparatedRowsGiveTheSameCsvAsJsonRows() {
        List<CustomerRow> fromJson = new ArrayList<>();
        clickHouse.forShop(SHOP).select(ROWS).forEach(row -> fromJson.add(ClickHouseCustomerReader.row(row)));
        List<CustomerRow> fromTabSeparated = new ArrayList<>();
        long streamed = clickHouse.forShop(SHOP).streamTabSeparated(ROWS, ClickHouseCustomerReader.EXPORT_COLUMNS,
                cells -> fromTabSeparated.add(ClickHouseCustomerReader.row(cells)));

        assertThat(streamed).isEqualTo(4);
        assertThat(fromTabSeparated).isEqualTo(fromJson);
        assertThat(CustomerCsv.rows(fromTabSeparated)).isEqualTo(CustomerCsv.rows(fromJson))
                .startsWith("2,NEW_PROSPECT,NEW_PROSPECT,,0,0.00,0,0,0,NO_ORDERS,,,,,,,,,,\r\n")
                .contains("\r\n3,AT_RISK,At risk,400,2,19.99,1,2,2,PREDICTED,0,0,0,0,0.01,0.02,0.00,0.00,HIGH,\r\n")
                .contains("\r\n9007199254740993,CHAMPIONS,Champions,3,12,-1234567890123.45,5,4,3,PREDICTED,0.00001,");
    }
}
