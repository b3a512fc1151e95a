package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Flows of a shop: the library, toggling, configuration and per-flow counts. */
public final class FlowStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public FlowStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(requireNonNull(dataSource, "dataSource is null"));
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Creates every flow of the library for the shop, switched off, where missing. */
    public void ensureLibrary(ShopId shop) {
        for (FlowKind kind : FlowKind.values()) {
            jdbc.update("INSERT INTO flows (shop_domain, kind, delay_minutes) VALUES (?, ?, ?) "
                    + "ON CONFLICT (shop_domain, kind) DO NOTHING", shop.domain(), kind.key(),
                    kind.defaultDelayMinutes());
        }
    }

    public List<Flow> list(ShopId shop) {
        return jdbc.query("SELECT * FROM flows WHERE shop_domain = ? ORDER BY id", MAPPER, shop.domain());
    }

    public Optional<Flow> find(ShopId shop, FlowKind kind) {
        return jdbc.query("SELECT * FROM flows WHERE shop_domain = ? AND kind = ?", MAPPER, shop.domain(),
                kind.key()).stream().findFirst();
    }

    /**
     * Switches a flow on or off. Switching off cancels its pending (SCHEDULED) sends in the same transaction, so the
     * toggle takes effect at once; a send a worker already holds is cancelled by the worker's own check.
     *
     * @return how many pending sends were cancelled
     */
    public int setEnabled(ShopId shop, FlowKind kind, boolean enabled) {
        Integer cancelled = tx.execute(status -> {
            int updated = jdbc.update("UPDATE flows SET enabled = ?, updated_at = now() "
                    + "WHERE shop_domain = ? AND kind = ?", enabled, shop.domain(), kind.key());
            if (updated == 0) {
                throw new IllegalArgumentException("No " + kind.key() + " flow for " + shop);
            }
            if (enabled) {
                return 0;
            }
            return jdbc.update("UPDATE sends SET status = 'CANCELLED', skip_reason = 'flow_disabled', "
                    + "updated_at = now() WHERE shop_domain = ? AND status = 'SCHEDULED' AND flow_id = "
                    + "(SELECT id FROM flows WHERE shop_domain = ? AND kind = ?)",
                    shop.domain(), shop.domain(), kind.key());
        });
        return cancelled == null ? 0 : cancelled;
    }

    /** Sets delay, conditions, settings and the linked template (one of the shop's own; the foreign key says so). */
    public void configure(ShopId shop, FlowKind kind, int delayMinutes, JsonNode conditions, JsonNode settings,
                          Long templateId) {
        int updated = jdbc.update("UPDATE flows SET delay_minutes = ?, conditions = ?::jsonb, settings = ?::jsonb, "
                        + "template_id = ?, updated_at = now() WHERE shop_domain = ? AND kind = ?",
                delayMinutes, json(conditions), json(settings), templateId, shop.domain(), kind.key());
        if (updated == 0) {
            throw new IllegalArgumentException("No " + kind.key() + " flow for " + shop);
        }
    }

    /** Per flow kind, the number of sends in each status. */
    public Map<FlowKind, Map<String, Long>> counts(ShopId shop) {
        Map<FlowKind, Map<String, Long>> counts = new LinkedHashMap<>();
        jdbc.query("SELECT f.kind, s.status, count(*) FROM sends s JOIN flows f "
                + "ON f.shop_domain = s.shop_domain AND f.id = s.flow_id "
                + "WHERE s.shop_domain = ? AND NOT s.is_test GROUP BY f.kind, s.status", rs -> {
                    counts.computeIfAbsent(FlowKind.fromKey(rs.getString(1)), k -> new LinkedHashMap<>())
                            .put(rs.getString(2), rs.getLong(3));
                }, shop.domain());
        return counts;
    }

    private static String json(JsonNode node) {
        return node == null ? "{}" : node.toString();
    }

    static final RowMapper<Flow> MAPPER = (rs, i) -> {
        try {
            long template = rs.getLong("template_id");
            return new Flow(rs.getLong("id"), ShopId.of(rs.getString("shop_domain")),
                    FlowKind.fromKey(rs.getString("kind")), rs.getBoolean("enabled"), rs.getInt("delay_minutes"),
                    JSON.readTree(rs.getString("conditions")), JSON.readTree(rs.getString("settings")),
                    rs.wasNull() ? null : template);
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    };
}
