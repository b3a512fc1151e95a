package com.ecomcrm.api.tokens;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * A usable offline access token for a shop, for background work and for API calls made on the merchant's behalf:
 * <ol>
 *   <li>the stored token, if it does not lapse within {@link #REFRESH_MARGIN};</li>
 *   <li>else a refreshed pair, if the refresh token still lives: stored atomically, and if another refresh stored a
 *   pair first, that one is used instead. A refresh whose answer was lost (I/O error, timeout, 5xx) is retried with
 *   the same, previous, refresh token: Shopify keeps it usable until its replacement is used;</li>
 *   <li>else, given an App Bridge session token, token exchange for a new expiring offline token (AUTH-02);</li>
 *   <li>else it fails: only the merchant opening the app can produce a new session token.</li>
 * </ol>
 * The HTTP calls block, so they run on worker threads. Concurrent callers for one shop in this process share one
 * refresh or exchange.
 */
public final class OfflineTokens {
    private static final Logger LOG = LoggerFactory.getLogger(OfflineTokens.class);
    /** Refresh this long before the access token lapses, so a job that just got it has time to use it. */
    public static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
    private static final int REFRESH_ATTEMPTS = 3;

    /** How the token was obtained, for the caller's answer and for tests. */
    public enum Source { STORED, REFRESHED, EXCHANGED }

    public record OfflineToken(ShopId shop, String accessToken, Source source) {
        public OfflineToken {
            requireNonNull(shop, "shop is null");
            requireNonNull(accessToken, "accessToken is null");
            requireNonNull(source, "source is null");
        }

        @Override
        public String toString() {
            return "OfflineToken[shop=" + shop + ", source=" + source + "]";
        }
    }

    private final Vertx vertx;
    private final ShopTokens store;
    private final AccessTokenClient shopify;
    private final Clock clock;
    private final Duration retryPause;
    private final Map<ShopId, Future<OfflineToken>> inFlight = new ConcurrentHashMap<>();

    public OfflineTokens(Vertx vertx, ShopTokens store, AccessTokenClient shopify, Clock clock) {
        this(vertx, store, shopify, clock, Duration.ofMillis(250));
    }

    OfflineTokens(Vertx vertx, ShopTokens store, AccessTokenClient shopify, Clock clock, Duration retryPause) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.store = requireNonNull(store, "store is null");
        this.shopify = requireNonNull(shopify, "shopify is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.retryPause = requireNonNull(retryPause, "retryPause is null");
    }

    public Future<OfflineToken> forShop(ShopId shop, Optional<String> sessionToken) {
        requireNonNull(shop, "shop is null");
        requireNonNull(sessionToken, "sessionToken is null");
        return store.find(shop).compose(stored -> {
            Instant now = clock.instant();
            if (stored.isPresent() && stored.get().installed() && !stored.get().expiresWithin(REFRESH_MARGIN, now)) {
                return Future.succeededFuture(new OfflineToken(shop, stored.get().accessToken(), Source.STORED));
            }
            return once(shop, () -> renew(shop, stored, sessionToken));
        });
    }

    private Future<OfflineToken> renew(ShopId shop, Optional<StoredTokens> stored, Optional<String> sessionToken) {
        Instant now = clock.instant();
        if (stored.isPresent() && stored.get().installed() && stored.get().canRefresh(now)) {
            StoredTokens current = stored.get();
            return vertx.executeBlocking(() -> refreshWithRetries(shop, current.refreshToken().orElseThrow()), false)
                    .compose(grant -> store.replace(shop, current.version(), grant, clock.instant())
                            .compose(won -> won
                                    ? Future.succeededFuture(new OfflineToken(shop, grant.accessToken(), Source.REFRESHED))
                                    : winnerOf(shop)))
                    .recover(failure -> failure instanceof TokenRefusedException && sessionToken.isPresent()
                            // The refresh token is dead (revoked, or retired by a newer install): start over.
                            ? exchange(shop, sessionToken.get())
                            : Future.failedFuture(failure));
        }
        if (sessionToken.isPresent()) {
            return exchange(shop, sessionToken.get());
        }
        return Future.failedFuture(new DomainException(ErrorCode.UNAUTHENTICATED, "Cannot act for shop " + shop
                + ": it has no usable offline token; the merchant must open the app to renew it"));
    }

    private Future<OfflineToken> exchange(ShopId shop, String sessionToken) {
        return vertx.executeBlocking(() -> shopify.exchange(shop, sessionToken), false)
                .compose(grant -> store.install(shop, grant, clock.instant())
                        .map(stored -> new OfflineToken(shop, grant.accessToken(), Source.EXCHANGED)));
    }

    private TokenGrant refreshWithRetries(ShopId shop, String refreshToken) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return shopify.refresh(shop, refreshToken);
            }
            catch (TokenRefusedException refused) {
                throw refused;
            }
            catch (DomainException lost) {
                if (attempt >= REFRESH_ATTEMPTS) {
                    throw lost;
                }
                LOG.warn("Refreshing the token of {} got no answer (attempt {}), retrying with the same refresh "
                        + "token: {}", shop, attempt, lost.getMessage());
                Thread.sleep(retryPause.toMillis() * attempt);
            }
        }
    }

    /** Another refresh stored its pair between our read and our write: use that one. */
    private Future<OfflineToken> winnerOf(ShopId shop) {
        return store.find(shop).map(stored -> new OfflineToken(shop, stored.orElseThrow(() -> new DomainException(
                ErrorCode.INTERNAL, "Cannot read the token of " + shop + " after a concurrent refresh")).accessToken(),
                Source.REFRESHED));
    }

    private Future<OfflineToken> once(ShopId shop, java.util.function.Supplier<Future<OfflineToken>> work) {
        Future<OfflineToken>[] mine = new Future[1];
        Future<OfflineToken> running = inFlight.computeIfAbsent(shop, s -> mine[0] = work.get());
        if (running == mine[0]) {
            running.onComplete(done -> inFlight.remove(shop, running));
        }
        return running;
    }
}
