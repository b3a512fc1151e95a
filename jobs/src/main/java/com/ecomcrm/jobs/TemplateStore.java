package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.render.TemplateContent;
import com.ecomcrm.email.render.TemplateSource;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Templates with immutable versions, always read with the shop in the key. As a {@link TemplateSource} it serves
 * the renderer's includes: a shop's templates by name, and nothing of any other shop.
 */
public final class TemplateStore implements TemplateSource {
    /** A stored version. */
    public record Version(long templateId, int version, String subject, String html, String text) {
        public TemplateContent content() {
            return new TemplateContent(templateId + ":" + version, subject, html, text);
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public TemplateStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(requireNonNull(dataSource, "dataSource is null"));
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Creates a template with its version 1; returns the template id. */
    public long create(ShopId shop, String name, String subject, String html, String text) {
        Long id = tx.execute(status -> {
            Long templateId = jdbc.queryForObject("INSERT INTO templates (shop_domain, name) VALUES (?, ?) "
                    + "RETURNING id", Long.class, shop.domain(), name);
            jdbc.update("INSERT INTO template_versions (shop_domain, template_id, version, subject, body_html, "
                    + "body_text) VALUES (?, ?, 1, ?, ?, ?)", shop.domain(), templateId, subject, html, text);
            return templateId;
        });
        return requireNonNull(id);
    }

    /** Adds the next version (the template row is locked, so two editors get versions n+1 and n+2). */
    public int addVersion(ShopId shop, long templateId, String subject, String html, String text) {
        Integer version = tx.execute(status -> {
            List<Long> found = jdbc.queryForList("SELECT id FROM templates WHERE shop_domain = ? AND id = ? "
                    + "FOR UPDATE", Long.class, shop.domain(), templateId);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("No template " + templateId + " for " + shop);
            }
            Integer next = jdbc.queryForObject("SELECT coalesce(max(version), 0) + 1 FROM template_versions "
                    + "WHERE shop_domain = ? AND template_id = ?", Integer.class, shop.domain(), templateId);
            jdbc.update("INSERT INTO template_versions (shop_domain, template_id, version, subject, body_html, "
                    + "body_text) VALUES (?, ?, ?, ?, ?, ?)", shop.domain(), templateId, next, subject, html, text);
            jdbc.update("UPDATE templates SET updated_at = now() WHERE shop_domain = ? AND id = ?",
                    shop.domain(), templateId);
            return next;
        });
        return requireNonNull(version);
    }

    public Optional<Version> latest(ShopId shop, long templateId) {
        return jdbc.query("SELECT * FROM template_versions WHERE shop_domain = ? AND template_id = ? "
                + "ORDER BY version DESC LIMIT 1", MAPPER, shop.domain(), templateId).stream().findFirst();
    }

    public List<Version> versions(ShopId shop, long templateId) {
        return jdbc.query("SELECT * FROM template_versions WHERE shop_domain = ? AND template_id = ? "
                + "ORDER BY version", MAPPER, shop.domain(), templateId);
    }

    @Override
    public Optional<String> load(ShopId shop, String name) {
        return jdbc.queryForList("SELECT v.body_html FROM templates t JOIN template_versions v "
                + "ON v.shop_domain = t.shop_domain AND v.template_id = t.id "
                + "WHERE t.shop_domain = ? AND t.name = ? ORDER BY v.version DESC LIMIT 1", String.class,
                shop.domain(), name).stream().findFirst();
    }

    private static final RowMapper<Version> MAPPER = (rs, i) -> new Version(rs.getLong("template_id"),
            rs.getInt("version"), rs.getString("subject"), rs.getString("body_html"), rs.getString("body_text"));
}
