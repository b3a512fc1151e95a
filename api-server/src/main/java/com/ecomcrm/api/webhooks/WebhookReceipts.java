package com.ecomcrm.api.webhooks;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static java.util.Objects.requireNonNull;

/**
 * The record of deliveries already landed, keyed by shop and {@code X-Shopify-Webhook-Id}: Shopify retries and
 * duplicates deliveries, and each must be processed once.
 */
public final class WebhookReceipts {
    private final Pool postgres;

    public WebhookReceipts(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    public Future<Boolean> alreadyReceived(ShopId shop, String webhookId) {
        return postgres.preparedQuery("SELECT 1 FROM webhook_receipts WHERE shop_domain = $1 AND webhook_id = $2")
                .execute(Tuple.of(shop.domain(), webhookId))
                .map(rows -> rows.size() > 0);
    }

    /** Records a landed delivery. A concurrent duplicate that landed too is harmless: the ingest deduplicates. */
    public Future<Void> record(WebhookDelivery delivery, Instant receivedAt, Path landedFile) {
        return postgres.preparedQuery("""
                        INSERT INTO webhook_receipts (shop_domain, webhook_id, topic, triggered_at, received_at, landed_file)
                        VALUES ($1, $2, $3, $4, $5, $6)
                        ON CONFLICT (shop_domain, webhook_id) DO NOTHING""")
                .execute(Tuple.of(delivery.shop().domain(), delivery.webhookId(), delivery.topic().topic(),
                        delivery.triggeredAt().map(t -> t.atOffset(ZoneOffset.UTC)).orElse(null),
                        OffsetDateTime.ofInstant(receivedAt, ZoneOffset.UTC), landedFile.toString()))
                .mapEmpty();
    }
}
