package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tenant rules of ShopScope, checked against a recording transport (no server needed). */
class ShopScopeRulesTest {
    private static final ShopId ACME = ShopId.of("acme.myshopify.com");
    private final ObjectMapper json = new ObjectMapper();
    private final RecordingTransport transport = new RecordingTransport();
    private final ShopScope scope = new ShopScope(ACME, transport, json);

    @Test
    void selectAppendsJsonEachRowOnItsOwnLine() {
        scope.select(SqlTemplate.of("SELECT 1 FROM t WHERE shop_id = {shop} -- trailing comment"));
        assertThat(transport.statements).containsExactly(
                "SELECT 1 FROM t WHERE shop_id = 'acme.myshopify.com' -- trailing comment\nFORMAT JSONEachRow");
    }

    @Test
    void selectRefusesAStatementThatIsNotASelect() {
        assertThatThrownBy(() -> scope.select(SqlTemplate.of("ALTER TABLE t DELETE WHERE shop_id = {shop}")))
                .isInstanceOf(DomainException.class);
        assertThat(transport.statements).isEmpty();
    }

    @Test
    void insertedRowsGetTheScopesShopFirst() throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("publish_id", 3L);
        row.put("as_of_date", LocalDate.of(2024, 1, 2));
        row.put("published_at", Instant.ofEpochSecond(1_700_000_000L));
        assertThat(scope.insertRows("shop_publications", List.of(row))).isEqualTo(1);

        assertThat(transport.insertTable).isEqualTo("shop_publications");
        assertThat(transport.insertColumns).containsExactly("shop_id", "publish_id", "as_of_date", "published_at");
        JsonNode sent = json.readTree(transport.insertBody);
        assertThat(sent.get("shop_id").asText()).isEqualTo("acme.myshopify.com");
        assertThat(sent.get("as_of_date").asText()).isEqualTo("2024-01-02");
        assertThat(sent.get("published_at").asLong()).isEqualTo(1_700_000_000L);
    }

    @Test
    void aRowThatAlreadyNamesTheSameShopIsAccepted() {
        scope.insertRows("t", List.of(Map.of("shop_id", "acme.myshopify.com", "n", 1), Map.of("shop_id", ACME, "n", 2)));
        assertThat(new String(transport.insertBody, StandardCharsets.UTF_8).lines()).hasSize(2);
    }

    @Test
    void aRowForAnotherShopFailsTheWholeBatchBeforeAnythingIsSent() {
        List<Map<String, Object>> rows = List.of(Map.of("n", 1), Map.of("shop_id", "evil.myshopify.com", "n", 2));
        assertThatThrownBy(() -> scope.insertRows("t", rows))
                .isInstanceOf(DomainException.class)
                .hasMessageContaining("evil.myshopify.com")
                .hasMessageContaining("row 1");
        assertThat(transport.insertTable).isNull();
    }

    @Test
    void badTableOrColumnNamesAndZonelessTimestampsAreRefused() {
        assertThatThrownBy(() -> scope.insertRows("t; DROP TABLE x", List.of(Map.of("n", 1))))
                .isInstanceOf(DomainException.class);
        assertThatThrownBy(() -> scope.insertRows("t", List.of(Map.of("n) VALUES", 1))))
                .isInstanceOf(DomainException.class);
        assertThatThrownBy(() -> scope.insertRows("t", List.of(Map.of("at", LocalDateTime.now()))))
                .isInstanceOf(DomainException.class);
        assertThat(transport.insertTable).isNull();
    }

    @Test
    void noRowsMeansNoRequest() {
        assertThat(scope.insertRows("t", List.of())).isZero();
        assertThat(transport.insertTable).isNull();
    }

    @Test
    void currentPublicationIsZeroWhenTheServerReturnsNothing() {
        assertThat(scope.currentPublication()).isZero();
        assertThat(transport.statements.get(0))
                .isEqualTo("SELECT max(publish_id) AS p FROM shop_publications WHERE shop_id = 'acme.myshopify.com'"
                        + "\nFORMAT JSONEachRow");
    }

    @Test
    void adminQueryAppendsFormatAndRefusesItsOwn() {
        AdminClickHouse admin = new AdminClickHouse(transport);
        admin.query("SELECT version();");
        assertThat(transport.statements).containsExactly("SELECT version()\nFORMAT JSONEachRow");
        assertThatThrownBy(() -> admin.query("SELECT 1 FORMAT TSV")).isInstanceOf(DomainException.class);
        admin.query("SELECT 'FORMAT TSV' AS s");
        assertThat(transport.statements).last().isEqualTo("SELECT 'FORMAT TSV' AS s\nFORMAT JSONEachRow");
    }

    private static final class RecordingTransport implements ClickHouseTransport {
        final List<String> statements = new ArrayList<>();
        String insertTable;
        List<String> insertColumns;
        byte[] insertBody;

        @Override
        public List<JsonNode> queryJsonEachRow(String sql) {
            statements.add(sql);
            return List.of();
        }

        @Override
        public long streamJsonEachRow(String sql, java.util.function.Consumer<JsonNode> rows) {
            statements.add(sql);
            return 0;
        }

        @Override
        public long streamTabSeparated(String sql, int columns, java.util.function.Consumer<String[]> rows) {
            statements.add(sql);
            return 0;
        }

        @Override
        public void execute(String sql) {
            statements.add(sql);
        }

        @Override
        public void insertJsonEachRow(String table, List<String> columns, byte[] body) {
            insertTable = table;
            insertColumns = columns;
            insertBody = body;
        }

        @Override
        public boolean ping() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
