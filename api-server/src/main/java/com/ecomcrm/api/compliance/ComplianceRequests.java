package com.ecomcrm.api.compliance;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static java.util.Objects.requireNonNull;

/**
 * Records a compliance webhook as a PENDING request for the pipelines' {@code ComplianceJob}, idempotent per webhook
 * id: a retried delivery finds its request already there. The email and phone go to
 * {@code compliance_request_subjects}, which the job empties when the request completes, never to the request row
 * or the audit.
 */
public final class ComplianceRequests {
    /** Shopify's deadline for acting on a compliance webhook. */
    public static final Duration DEADLINE = Duration.ofDays(30);

    private final Pool postgres;

    public ComplianceRequests(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /** @return true if this call recorded the request, false if the webhook id was already recorded */
    public Future<Boolean> record(ShopId shop, String webhookId, ComplianceNotice notice, Instant receivedAt) {
        requireNonNull(shop, "shop is null");
        requireNonNull(webhookId, "webhookId is null");
        requireNonNull(notice, "notice is null");
        OffsetDateTime received = OffsetDateTime.ofInstant(receivedAt, ZoneOffset.UTC);
        return postgres.withTransaction(conn -> conn.preparedQuery("""
                        INSERT INTO compliance_requests (shop_domain, webhook_id, topic, shopify_request_id,
                                                         customer_id, order_ids, received_at, due_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                        ON CONFLICT (shop_domain, webhook_id) DO NOTHING RETURNING id""")
                .execute(Tuple.of(shop.domain(), webhookId, notice.topic(), notice.shopifyRequestId().orElse(null),
                        notice.customerId().orElse(null), notice.orderIds().toArray(new Long[0]), received,
                        received.plus(DEADLINE)))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(false);
                    }
                    long id = rows.iterator().next().getLong("id");
                    Future<Void> subject = notice.email().isEmpty() && notice.phone().isEmpty()
                            ? Future.succeededFuture()
                            : conn.preparedQuery("INSERT INTO compliance_request_subjects (request_id, email, phone) "
                                    + "VALUES ($1, $2, $3)")
                            .execute(Tuple.of(id, notice.email().orElse(null), notice.phone().orElse(null)))
                            .mapEmpty();
                    return subject.compose(done -> conn.preparedQuery("INSERT INTO compliance_audit "
                                    + "(request_id, shop_domain, topic, event, recorded_at) "
                                    + "VALUES ($1, $2, $3, 'RECEIVED', $4)")
                            .execute(Tuple.of(id, shop.domain(), notice.topic(), received)))
                            .map(true);
                }));
    }
}
