package com.ecomcrm.clickhouse;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlTemplateTest {
    private static final ShopId SHOP = ShopId.of("acme.myshopify.com");

    @Test
    void rendersTheShopAndBoundValuesAsLiterals() {
        String sql = SqlTemplate.of("SELECT * FROM customer_rfm WHERE shop_id = {shop} AND publish_id = {p}"
                        + " AND as_of_date = {d} AND segment = {segment}")
                .bind("p", 7)
                .bind("d", LocalDate.of(2024, 5, 1))
                .bind("segment", "champions")
                .render(SHOP);
        assertThat(sql).isEqualTo("SELECT * FROM customer_rfm WHERE shop_id = 'acme.myshopify.com' AND publish_id = 7"
                + " AND as_of_date = toDate('2024-05-01') AND segment = 'champions'");
    }

    @Test
    void aTemplateWithoutShopIsRejected() {
        assertThatThrownBy(() -> SqlTemplate.of("SELECT count() FROM customer_rfm"))
                .isInstanceOf(DomainException.class)
                .hasMessageContaining("without {shop}");
    }

    @Test
    void aTemplateWithFormatIsRejectedInAnyCase() {
        assertThatThrownBy(() -> SqlTemplate.of("SELECT 1 FROM t WHERE shop_id = {shop} FORMAT TabSeparated"))
                .isInstanceOf(DomainException.class)
                .hasMessageContaining("FORMAT");
        assertThatThrownBy(() -> SqlTemplate.of("SELECT 1 FROM t WHERE shop_id = {shop}\nformat JSON"))
                .isInstanceOf(DomainException.class);
    }

    @Test
    void formatInsideAStringOrAFunctionNameIsNotMistakenForTheClause() {
        String sql = SqlTemplate.of("SELECT formatDateTime(now(), '%F') AS f, 'FORMAT' AS w FROM t WHERE shop_id = {shop}")
                .render(SHOP);
        assertThat(sql).contains("formatDateTime").contains("'FORMAT'");
    }

    @Test
    void anUnboundPlaceholderIsNamedInTheError() {
        SqlTemplate template = SqlTemplate.of("SELECT * FROM t WHERE shop_id = {shop} AND publish_id = {publish} AND x = {x}")
                .bind("x", 1);
        assertThatThrownBy(() -> template.render(SHOP))
                .isInstanceOf(DomainException.class)
                .hasMessageStartingWith("Cannot render SQL template: placeholder {publish} not bound:");
    }

    @Test
    void bindingAnUnknownNameOrShopOrTheSameNameTwiceIsRejected() {
        SqlTemplate template = SqlTemplate.of("SELECT 1 FROM t WHERE shop_id = {shop} AND n = {n}");
        assertThatThrownBy(() -> template.bind("m", 1)).isInstanceOf(DomainException.class).hasMessageContaining("{m}");
        assertThatThrownBy(() -> template.bind("shop", "other.myshopify.com")).isInstanceOf(DomainException.class)
                .hasMessageContaining("{shop}");
        assertThatThrownBy(() -> template.bind("n", 1).bind("n", 2)).isInstanceOf(DomainException.class);
    }

    @Test
    void bindingReturnsANewTemplateAndLeavesTheOriginalReusable() {
        SqlTemplate base = SqlTemplate.of("SELECT 1 FROM t WHERE shop_id = {shop} AND n = {n}");
        assertThat(base.bind("n", 1).render(SHOP)).endsWith("n = 1");
        assertThat(base.bind("n", 2).render(SHOP)).endsWith("n = 2");
        assertThatThrownBy(() -> base.render(SHOP)).hasMessageContaining("{n}");
    }

    @Test
    void injectionStringsStayInsideTheirLiteral() {
        String attack = "x' OR shop_id != '' OR '1'='1'; DROP TABLE customer_rfm; --";
        String sql = SqlTemplate.of("SELECT * FROM t WHERE shop_id = {shop} AND email = {email}")
                .bind("email", attack)
                .render(SHOP);
        String prefix = "SELECT * FROM t WHERE shop_id = 'acme.myshopify.com' AND email = ";
        assertThat(sql).startsWith(prefix);
        String literal = sql.substring(prefix.length());
        assertThat(SqlLiteralsTest.decode(literal)).isEqualTo(attack);
        // A value that looks like a placeholder is data, not a second round of substitution.
        assertThat(SqlTemplate.of("SELECT {a} FROM t WHERE shop_id = {shop}").bind("a", "{shop}").render(SHOP))
                .isEqualTo("SELECT '{shop}' FROM t WHERE shop_id = 'acme.myshopify.com'");
    }

    @Test
    void aQuotedPlaceholderIsRejectedBecauseValuesAreRenderedAsWholeLiterals() {
        assertThatThrownBy(() -> SqlTemplate.of("SELECT 1 FROM t WHERE shop_id = '{shop}'"))
                .isInstanceOf(DomainException.class)
                .hasMessageContaining("inside quotes");
    }

    @Test
    void identifiersCanBeBoundAfterValidation() {
        SqlTemplate template = SqlTemplate.of("SELECT count() FROM {table} WHERE shop_id = {shop}");
        assertThat(template.bindIdentifier("table", "segment_summary").render(SHOP))
                .isEqualTo("SELECT count() FROM segment_summary WHERE shop_id = 'acme.myshopify.com'");
        assertThatThrownBy(() -> template.bindIdentifier("table", "t; DROP TABLE x")).isInstanceOf(DomainException.class);
    }

    @Test
    void aTrailingSemicolonIsDroppedSoTheGatewayCanAppendFormat() {
        assertThat(SqlTemplate.of("SELECT 1 FROM t WHERE shop_id = {shop};  ").render(SHOP))
                .isEqualTo("SELECT 1 FROM t WHERE shop_id = 'acme.myshopify.com'");
    }

    @Test
    void bracesThatAreNotPlaceholdersAreLeftAlone() {
        assertThat(SqlTemplate.of("SELECT '{\"a\": 1}' AS j, { FROM t WHERE shop_id = {shop}").placeholders())
                .containsExactly("shop");
    }
}
