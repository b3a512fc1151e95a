package com.ecomcrm.api.webhooks;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The record of deliveries already landed, keyed by shop and {@code X-Shopify-Webhook-Id}: Shopify retries and
 * duplicates deliveries, and each must be processed once.
 */
public final class WebhookReceipts {
    private static final String CLAIM = """
            INSERT INTO webhook_receipts (shop_domain, webhook_id, topic, triggered_at, received_at, landed_file)
            SELECT shop_domain, webhook_id, topic, triggered_at, received_at, landed_file
            FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])
                 AS claim(shop_domain, webhook_id, topic, triggered_at, received_at, landed_file)
            ORDER BY shop_domain, webhook_id
            ON CONFLICT (shop_domain, webhook_id) DO NOTHING
            RETURNING shop_domain, webhook_id""";

    /** One delivery's receipt: which delivery, and the landing file it goes to. */
    public record Receipt(WebhookDelivery delivery, Instant receivedAt, Path landedFile) {
        public Receipt {
            requireNonNull(delivery, "delivery is null");
            requireNonNull(receivedAt, "receivedAt is null");
            requireNonNull(landedFile, "landedFile is null");
        }

        public Key key() {
            return new Key(delivery.shop(), delivery.webhookId());
        }
    }

    /** What makes two deliveries the same: the shop and Shopify's webhook id. */
    public record Key(ShopId shop, String webhookId) {
        public Key {
            requireNonNull(shop, "shop is null");
            requireNonNull(webhookId, "webhookId is null");
        }
    }

    /**
     * Inserts the receipts not recorded yet, in one statement, and returns the keys it inserted: those deliveries
     * are this caller's to land; the others were received before. Run inside the transaction that lands them: until
     * it commits, a concurrent claim of the same key waits on the row (and then finds it, or takes it over if this
     * transaction rolled back), so two copies of one delivery never both count as new. The rows are inserted in key
     * order, so two batches with keys in common lock them in the same order and cannot deadlock.
     *
     * @param receipts distinct keys
     */
    public Future<Set<Key>> claim(SqlClient transaction, List<Receipt> receipts) {
        int size = receipts.size();
        String[] shops = new String[size];
        String[] ids = new String[size];
        String[] topics = new String[size];
        OffsetDateTime[] triggered = new OffsetDateTime[size];
        OffsetDateTime[] received = new OffsetDateTime[size];
        String[] files = new String[size];
        for (int i = 0; i < size; i++) {
            Receipt receipt = receipts.get(i);
            WebhookDelivery delivery = receipt.delivery();
            shops[i] = delivery.shop().domain();
            ids[i] = delivery.webhookId();
            topics[i] = delivery.topic().topic();
            triggered[i] = delivery.triggeredAt().map(t -> t.atOffset(ZoneOffset.UTC)).orElse(null);
            received[i] = receipt.receivedAt().atOffset(ZoneOffset.UTC);
            files[i] = receipt.landedFile().toString();
        }
        return transaction.preparedQuery(CLAIM)
                .execute(Tuple.of(shops, ids, topics, triggered, received, files))
                .map(rows -> {
                    Set<Key> claimed = new HashSet<>(rows.size() * 2);
                    for (Row row : rows) {
                        claimed.add(new Key(ShopId.of(row.getString("shop_domain")), row.getString("webhook_id")));
                    }
                    return claimed;
                });
    }
}
