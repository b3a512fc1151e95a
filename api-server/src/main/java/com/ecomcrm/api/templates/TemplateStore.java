package com.ecomcrm.api.templates;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Templates and their immutable versions ({@code templates}, {@code template_versions}, V4), every statement keyed
 * by the shop. The newest version is the one the send job sends.
 */
public final class TemplateStore {
    /** A template with its newest version and the shop's flows that use it. */
    public record TemplateView(long id, String name, String subject, String bodyHtml, int version, Instant updatedAt,
                               List<Long> flowIds) {
        public TemplateView {
            requireNonNull(name, "name is null");
            requireNonNull(subject, "subject is null");
            requireNonNull(bodyHtml, "bodyHtml is null");
            requireNonNull(updatedAt, "updatedAt is null");
            flowIds = List.copyOf(flowIds);
        }
    }

    /** One stored version. */
    public record Version(int version, String subject, String bodyHtml, Instant createdAt) {
        public Version {
            requireNonNull(subject, "subject is null");
            requireNonNull(bodyHtml, "bodyHtml is null");
            requireNonNull(createdAt, "createdAt is null");
        }
    }

    private static final String SELECT = "SELECT t.id, t.name, t.updated_at, v.version, v.subject, v.body_html, "
            + "coalesce((SELECT array_agg(f.id ORDER BY f.id) FROM flows f WHERE f.shop_domain = t.shop_domain "
            + "AND f.template_id = t.id), '{}') AS flow_ids "
            + "FROM templates t JOIN LATERAL (SELECT * FROM template_versions v WHERE v.shop_domain = t.shop_domain "
            + "AND v.template_id = t.id ORDER BY v.version DESC LIMIT 1) v ON true WHERE t.shop_domain = $1";

    private final Pool postgres;

    public TemplateStore(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    public Future<List<TemplateView>> list(ShopId shop) {
        return postgres.preparedQuery(SELECT + " ORDER BY t.id").execute(Tuple.of(shop.domain())).map(rows -> {
            List<TemplateView> templates = new ArrayList<>();
            rows.forEach(row -> templates.add(view(row)));
            return templates;
        });
    }

    public Future<TemplateView> find(ShopId shop, long id) {
        return postgres.preparedQuery(SELECT + " AND t.id = $2").execute(Tuple.of(shop.domain(), id))
                .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound(id))
                        : Future.succeededFuture(view(rows.iterator().next())));
    }

    /** Creates the template with its version 1; a name the shop already uses is refused (field {@code name}). */
    public Future<Long> create(ShopId shop, String name, String subject, String bodyHtml) {
        return postgres.withTransaction(conn -> conn
                        .preparedQuery("INSERT INTO templates (shop_domain, name) VALUES ($1, $2) RETURNING id")
                        .execute(Tuple.of(shop.domain(), name))
                        .map(rows -> rows.iterator().next().getLong("id"))
                        .compose(id -> conn.preparedQuery("INSERT INTO template_versions (shop_domain, template_id, "
                                        + "version, subject, body_html) VALUES ($1, $2, 1, $3, $4)")
                                .execute(Tuple.of(shop.domain(), id, subject, bodyHtml)).map(id)))
                .recover(failure -> Future.failedFuture(failure instanceof PgException pg
                        && "23505".equals(pg.getSqlState())
                        ? new ParameterException(ErrorCode.INVALID_INPUT, "name", "Cannot create the template: "
                        + "this shop already has a template called " + name) : failure));
    }

    /** Adds the next version; the template row is locked, so two editors get versions n+1 and n+2. */
    public Future<Integer> addVersion(ShopId shop, long id, String subject, String bodyHtml) {
        return postgres.withTransaction(conn -> conn
                .preparedQuery("SELECT id FROM templates WHERE shop_domain = $1 AND id = $2 FOR UPDATE")
                .execute(Tuple.of(shop.domain(), id))
                .compose(found -> found.size() == 0 ? Future.failedFuture(notFound(id))
                        : conn.preparedQuery("INSERT INTO template_versions (shop_domain, template_id, version, "
                                        + "subject, body_html) SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4 "
                                        + "FROM template_versions WHERE shop_domain = $1 AND template_id = $2 "
                                        + "RETURNING version")
                                .execute(Tuple.of(shop.domain(), id, subject, bodyHtml)))
                .compose(rows -> conn.preparedQuery("UPDATE templates SET updated_at = now() WHERE shop_domain = $1 "
                                + "AND id = $2").execute(Tuple.of(shop.domain(), id))
                        .map(x -> rows.iterator().next().getInteger("version"))));
    }

    public Future<List<Version>> versions(ShopId shop, long id) {
        return find(shop, id).compose(found -> postgres.preparedQuery("SELECT version, subject, body_html, created_at "
                        + "FROM template_versions WHERE shop_domain = $1 AND template_id = $2 ORDER BY version DESC")
                .execute(Tuple.of(shop.domain(), id))
                .map(rows -> {
                    List<Version> versions = new ArrayList<>();
                    rows.forEach(row -> versions.add(version(row)));
                    return versions;
                }));
    }

    public Future<Version> version(ShopId shop, long id, int version) {
        return postgres.preparedQuery("SELECT version, subject, body_html, created_at FROM template_versions "
                        + "WHERE shop_domain = $1 AND template_id = $2 AND version = $3")
                .execute(Tuple.of(shop.domain(), id, version))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(new DomainException(ErrorCode.NOT_FOUND, "Cannot find version "
                        + version + " of template " + id + " in this shop's templates"))
                        : Future.succeededFuture(version(rows.iterator().next())));
    }

    static DomainException notFound(long id) {
        return new DomainException(ErrorCode.NOT_FOUND, "Cannot find template " + id + " in this shop's templates");
    }

    private static TemplateView view(Row row) {
        Long[] flowIds = row.getArrayOfLongs("flow_ids");
        return new TemplateView(row.getLong("id"), row.getString("name"), row.getString("subject"),
                row.getString("body_html"), row.getInteger("version"),
                row.getOffsetDateTime("updated_at").toInstant(), flowIds == null ? List.of() : List.of(flowIds));
    }

    private static Version version(Row row) {
        return new Version(row.getInteger("version"), row.getString("subject"), row.getString("body_html"),
                row.getOffsetDateTime("created_at").toInstant());
    }
}
