package com.ecomcrm.api.tokens;

import com.ecomcrm.email.secrets.SecretCipher;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The shops' offline tokens in PostgreSQL ({@code shops}), encrypted with {@link SecretCipher} on the way in: no
 * method takes or writes a plaintext column. Each stored pair (access and refresh token with their expiries) is one
 * row update, so a reader never sees a new access token with an old refresh token.
 */
public final class ShopTokens {
    private final Pool postgres;
    private final SecretCipher cipher;

    public ShopTokens(Pool postgres, SecretCipher cipher) {
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
    }

    public Future<Optional<StoredTokens>> find(ShopId shop) {
        return postgres.preparedQuery("""
                        SELECT access_token_ciphertext, access_token_kind, access_token_expires_at,
                               refresh_token_ciphertext, refresh_token_expires_at, scopes, token_version,
                               uninstalled_at
                        FROM shops WHERE shop_domain = $1 AND access_token_ciphertext IS NOT NULL""")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(read(shop, rows.iterator().next())));
    }

    /**
     * Stores the tokens of a (re)install: idempotent, and a reinstall after app/uninstalled makes the shop installed
     * again. {@code installed_at} changes only when the shop was not installed.
     */
    public Future<Void> install(ShopId shop, TokenGrant grant, Instant now) {
        return postgres.preparedQuery("""
                        INSERT INTO shops (shop_domain, installed_at, uninstalled_at, access_token_ciphertext, scopes,
                                           access_token_kind, access_token_expires_at, refresh_token_ciphertext,
                                           refresh_token_expires_at, token_version, tokens_updated_at, updated_at)
                        VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, 1, $2, $2)
                        ON CONFLICT (shop_domain) DO UPDATE SET
                            installed_at = CASE WHEN shops.installed_at IS NULL OR shops.uninstalled_at IS NOT NULL
                                                THEN EXCLUDED.installed_at ELSE shops.installed_at END,
                            uninstalled_at = NULL,
                            access_token_ciphertext = EXCLUDED.access_token_ciphertext,
                            scopes = EXCLUDED.scopes,
                            access_token_kind = EXCLUDED.access_token_kind,
                            access_token_expires_at = EXCLUDED.access_token_expires_at,
                            refresh_token_ciphertext = EXCLUDED.refresh_token_ciphertext,
                            refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
                            token_version = shops.token_version + 1,
                            tokens_updated_at = EXCLUDED.tokens_updated_at,
                            updated_at = EXCLUDED.updated_at""")
                .execute(values(shop, grant, now))
                .mapEmpty();
    }

    /**
     * The app was uninstalled: Shopify has already ended every token of the installation, so forget them, mark the
     * shop uninstalled and its webhooks as needing reconciliation on a reinstall. The shop's data stays until
     * {@code shop/redact}; a reinstall ({@link #install}) makes it installed again. Idempotent.
     */
    public Future<Void> revoke(ShopId shop, Instant now) {
        return postgres.preparedQuery("""
                        UPDATE shops SET uninstalled_at = COALESCE(uninstalled_at, $2),
                                         access_token_ciphertext = NULL, access_token_expires_at = NULL,
                                         refresh_token_ciphertext = NULL, refresh_token_expires_at = NULL,
                                         token_version = token_version + 1, tokens_updated_at = $2,
                                         webhooks_reconciled_at = NULL, webhooks_target = NULL, updated_at = $2
                        WHERE shop_domain = $1""")
                .execute(io.vertx.sqlclient.Tuple.of(shop.domain(), java.time.OffsetDateTime.ofInstant(now,
                        java.time.ZoneOffset.UTC)))
                .mapEmpty();
    }

    /**
     * Stores a refreshed pair if nobody stored another since {@code expectedVersion} was read.
     *
     * @return false if another refresh won; the caller re-reads and uses the winner's pair
     */
    public Future<Boolean> replace(ShopId shop, long expectedVersion, TokenGrant grant, Instant now) {
        Tuple values = values(shop, grant, now).addLong(expectedVersion);
        return postgres.preparedQuery("""
                        UPDATE shops SET access_token_ciphertext = $3, scopes = $4, access_token_kind = $5,
                                         access_token_expires_at = $6, refresh_token_ciphertext = $7,
                                         refresh_token_expires_at = $8, token_version = token_version + 1,
                                         tokens_updated_at = $2, updated_at = $2
                        WHERE shop_domain = $1 AND token_version = $9""")
                .execute(values)
                .map(result -> result.rowCount() == 1);
    }

    /** The callback URL and API version the shop's webhooks were last reconciled to, if ever. */
    public Future<Optional<String>> webhooksTarget(ShopId shop) {
        return postgres.preparedQuery("SELECT webhooks_target FROM shops WHERE shop_domain = $1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.ofNullable(rows.iterator().next().getString("webhooks_target")));
    }

    public Future<Void> recordWebhooksReconciled(ShopId shop, String target, Instant now) {
        return postgres.preparedQuery("""
                        UPDATE shops SET webhooks_target = $2, webhooks_reconciled_at = $3, updated_at = $3
                        WHERE shop_domain = $1""")
                .execute(Tuple.of(shop.domain(), target, utc(now)))
                .mapEmpty();
    }

    static String accessContext(ShopId shop) {
        return "shops.access_token|" + shop.domain();
    }

    static String refreshContext(ShopId shop) {
        return "shops.refresh_token|" + shop.domain();
    }

    private Tuple values(ShopId shop, TokenGrant grant, Instant now) {
        return Tuple.of(shop.domain(), utc(now),
                        Buffer.buffer(cipher.encrypt(grant.accessToken(), accessContext(shop))),
                        String.join(",", grant.scopes()),
                        grant.kind().name(),
                        grant.expiresIn().map(d -> utc(now.plus(d))).orElse(null))
                .addValue(grant.refreshToken().map(t -> Buffer.buffer(cipher.encrypt(t, refreshContext(shop))))
                        .orElse(null))
                .addValue(grant.refreshTokenExpiresIn().map(d -> utc(now.plus(d))).orElse(null));
    }

    private StoredTokens read(ShopId shop, Row row) {
        String kind = row.getString("access_token_kind");
        Buffer refresh = row.getBuffer("refresh_token_ciphertext");
        String scopes = row.getString("scopes");
        return new StoredTokens(shop,
                cipher.decrypt(row.getBuffer("access_token_ciphertext").getBytes(), accessContext(shop)),
                // Rows from before V3 hold only the legacy kind of token.
                kind == null ? TokenKind.OFFLINE : TokenKind.valueOf(kind),
                instant(row, "access_token_expires_at"),
                refresh == null ? Optional.empty() : Optional.of(cipher.decrypt(refresh.getBytes(), refreshContext(shop))),
                instant(row, "refresh_token_expires_at"),
                scopes == null || scopes.isBlank() ? List.of() : Arrays.asList(scopes.split(",")),
                row.getLong("token_version"),
                row.getOffsetDateTime("uninstalled_at") == null);
    }

    private static Optional<Instant> instant(Row row, String column) {
        return Optional.ofNullable(row.getOffsetDateTime(column)).map(OffsetDateTime::toInstant);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
