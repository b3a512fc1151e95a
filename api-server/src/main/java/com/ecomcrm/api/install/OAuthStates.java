package com.ecomcrm.api.install;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/**
 * The {@code state} nonces of the authorization-code grant, in PostgreSQL ({@code oauth_states}) so any API instance
 * can take the callback. A nonce is 32 random bytes in hex, bound to one shop, usable once, for {@link #LIFETIME}.
 * Consuming deletes the row in the same statement that reads it, so two callbacks racing with one nonce cannot both
 * succeed. The lookup is by primary key rather than a constant-time compare: the nonce is 256 random bits, and a
 * timing side channel on an index lookup does not make guessing one feasible.
 */
public final class OAuthStates {
    public static final Duration LIFETIME = Duration.ofMinutes(10);

    private final Pool postgres;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public OAuthStates(Pool postgres, Clock clock) {
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Future<String> issue(ShopId shop) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String nonce = HexFormat.of().formatHex(bytes);
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        // Expired rows are swept here, on the path that creates them, so the table stays small without a job.
        return postgres.preparedQuery("DELETE FROM oauth_states WHERE expires_at < $1").execute(Tuple.of(now))
                .compose(swept -> postgres.preparedQuery("""
                                INSERT INTO oauth_states (nonce, shop_domain, created_at, expires_at)
                                VALUES ($1, $2, $3, $4)""")
                        .execute(Tuple.of(nonce, shop.domain(), now, now.plus(LIFETIME))))
                .map(nonce);
    }

    /** Uses up {@code nonce} for {@code shop}; fails with a 400 naming {@code state} if unknown, used, expired or foreign. */
    public Future<Void> consume(String nonce, ShopId shop) {
        return postgres.preparedQuery("DELETE FROM oauth_states WHERE nonce = $1 RETURNING shop_domain, expires_at")
                .execute(Tuple.of(nonce))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(refused("it is unknown or was already used"));
                    }
                    Row row = rows.iterator().next();
                    if (!row.getString("shop_domain").equals(shop.domain())) {
                        return Future.failedFuture(refused("it was issued for another shop"));
                    }
                    if (row.getOffsetDateTime("expires_at").toInstant().isBefore(clock.instant())) {
                        return Future.failedFuture(refused("it expired"));
                    }
                    return Future.succeededFuture();
                });
    }

    private static ParameterException refused(String why) {
        return new ParameterException(ErrorCode.INVALID_INPUT, "state", "Cannot finish install: parameter state "
                + "is not valid: " + why);
    }
}
