package com.ecomcrm.api.compliance;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static java.util.Objects.requireNonNull;

/**
 * The immediate effects of the privacy-related webhooks, run by the intake before it answers Shopify: a compliance
 * topic becomes a PENDING request (the work itself is the pipelines' {@code ComplianceJob}); {@code app/uninstalled}
 * stops every email not yet sent, so nothing goes out in the name of a merchant who left. The shop's data stays
 * until {@code shop/redact}; a reinstall makes new sends possible again (the cancelled ones stay cancelled: they
 * were due while the app was gone).
 */
public final class ComplianceWebhook {
    private final ComplianceRequests requests;
    private final Pool postgres;

    public ComplianceWebhook(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.requests = new ComplianceRequests(postgres);
    }

    public Future<Void> received(ShopId shop, String topic, String webhookId, String body, Instant receivedAt) {
        if (!ComplianceNotice.isCompliance(topic)) {
            return Future.succeededFuture();
        }
        ComplianceNotice notice;
        try {
            notice = ComplianceNotice.parse(topic, body);
        }
        catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return requests.record(shop, webhookId, notice, receivedAt).mapEmpty();
    }

    /** Cancels the shop's scheduled and held sends; a send already being handed to SMTP finishes as it is. */
    public Future<Integer> uninstalled(ShopId shop, Instant at) {
        return postgres.preparedQuery("""
                        UPDATE sends SET status = 'CANCELLED', skip_reason = 'shop_uninstalled',
                                         claimed_by = NULL, claimed_until = NULL, updated_at = $2
                        WHERE shop_domain = $1 AND status IN ('SCHEDULED', 'HELD')""")
                .execute(Tuple.of(shop.domain(), OffsetDateTime.ofInstant(at, ZoneOffset.UTC)))
                .map(rows -> rows.rowCount());
    }
}
