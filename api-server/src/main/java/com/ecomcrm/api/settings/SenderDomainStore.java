package com.ecomcrm.api.settings;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The shop's sender domain set up through the API: a {@code sender_domains} row (V6, V9) with
 * {@code dkim_key_ref = 'sealed:'}, its private key sealed in {@code dkim_private_key}. Rows an operator set up
 * with a {@code file:} / {@code env:} key reference are left alone.
 */
public final class SenderDomainStore {
    /** {@code dkim_key_ref} of a row whose key is sealed in the row itself. */
    public static final String SEALED_REF = com.ecomcrm.email.mail.DkimKey.SEALED_REF;

    /** A stored domain (the private key stays in the database). */
    public record StoredDomain(String domain, String selector, String publicKey, Optional<Instant> verifiedAt,
                               Optional<Instant> checkedAt, List<SenderDomainRecords.DnsRecord> checkResults) {
        public StoredDomain {
            requireNonNull(domain, "domain is null");
            requireNonNull(selector, "selector is null");
            requireNonNull(publicKey, "publicKey is null");
            requireNonNull(verifiedAt, "verifiedAt is null");
            requireNonNull(checkedAt, "checkedAt is null");
            checkResults = List.copyOf(checkResults);
        }
    }

    private final Pool postgres;

    public SenderDomainStore(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    public Future<Optional<StoredDomain>> find(ShopId shop) {
        return postgres.preparedQuery("SELECT domain, dkim_selector, dkim_public_key, verified_at, checked_at, "
                        + "check_results::text AS results FROM sender_domains WHERE shop_domain = $1 "
                        + "AND dkim_key_ref = '" + SEALED_REF + "' ORDER BY created_at DESC LIMIT 1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(stored(rows.iterator().next())));
    }

    /**
     * Makes {@code domain} the shop's sender domain with a new key pair (the shop's previous API-made domain, if
     * another, is removed: the send job must not sign with a domain the merchant gave up).
     */
    public Future<StoredDomain> replace(ShopId shop, String domain, String selector, byte[] sealedPrivateKey,
                                        String publicKey) {
        return postgres.withTransaction(conn -> conn
                        .preparedQuery("DELETE FROM sender_domains WHERE shop_domain = $1 AND dkim_key_ref = $2")
                        .execute(Tuple.of(shop.domain(), SEALED_REF))
                        .compose(x -> conn.preparedQuery("INSERT INTO sender_domains (shop_domain, domain, "
                                        + "dkim_selector, dkim_key_ref, dkim_private_key, dkim_public_key) "
                                        + "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shop_domain, domain) DO UPDATE "
                                        + "SET dkim_selector = EXCLUDED.dkim_selector, dkim_key_ref = "
                                        + "EXCLUDED.dkim_key_ref, dkim_private_key = EXCLUDED.dkim_private_key, "
                                        + "dkim_public_key = EXCLUDED.dkim_public_key, verified_at = NULL, "
                                        + "checked_at = NULL, check_results = '[]', updated_at = now()")
                                .execute(Tuple.of(shop.domain(), domain, selector, SEALED_REF,
                                        Buffer.buffer(sealedPrivateKey), publicKey))))
                .compose(x -> find(shop)).map(Optional::orElseThrow);
    }

    /** Records a DNS check: verified when every record was found, else not (signing stops until fixed). */
    public Future<StoredDomain> recordCheck(ShopId shop, String domain, List<SenderDomainRecords.DnsRecord> results,
                                            Instant at) {
        boolean verified = SenderDomainRecords.allVerified(results);
        OffsetDateTime when = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
        return postgres.preparedQuery("UPDATE sender_domains SET checked_at = $3::timestamptz, check_results = $4::jsonb, "
                        + "verified_at = CASE WHEN $5::boolean THEN coalesce(verified_at, $3::timestamptz) END, updated_at = now() "
                        + "WHERE shop_domain = $1 AND domain = $2 AND dkim_key_ref = '" + SEALED_REF + "'")
                .execute(Tuple.of(shop.domain(), domain, when, SenderDomainRecords.json(results), verified))
                .compose(x -> find(shop)).map(Optional::orElseThrow);
    }

    private static StoredDomain stored(Row row) {
        String results = row.getString("results");
        return new StoredDomain(row.getString("domain"), row.getString("dkim_selector"),
                Optional.ofNullable(row.getString("dkim_public_key")).orElse(""),
                Optional.ofNullable(row.getOffsetDateTime("verified_at")).map(OffsetDateTime::toInstant),
                Optional.ofNullable(row.getOffsetDateTime("checked_at")).map(OffsetDateTime::toInstant),
                SenderDomainRecords.fromJson(new JsonArray(results == null ? "[]" : results)));
    }
}
