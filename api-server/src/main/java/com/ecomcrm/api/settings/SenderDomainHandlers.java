package com.ecomcrm.api.settings;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.flows.JsonBody;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The sender-domain routes for the session token's shop:
 * <ul>
 *   <li>{@code GET /api/sender-domain}: {@code {"domain","status","records":[{"type","host","value","status"}],
 *   "checkedAt"}}; status {@code NONE} (no domain), {@code PENDING} or {@code VERIFIED};</li>
 *   <li>{@code PUT /api/sender-domain {"domain"}}: makes it the shop's sender domain with a new DKIM key pair
 *   (the same domain again keeps its key, so records already added stay right); the private key is sealed with the
 *   Shopify tokens' AES-GCM {@link SecretCipher} (context {@code dkim_key|<shop>|<domain>}) and never returned;</li>
 *   <li>{@code POST /api/sender-domain/verify}: looks the four records up ({@link SenderDomainRecords}); all found
 *   verifies the domain, and the send job then DKIM-signs mail from it.</li>
 * </ul>
 */
public final class SenderDomainHandlers {
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]");

    private final Vertx vertx;
    private final SenderDomainStore store;
    private final SecretCipher cipher;
    private final DnsLookup dns;
    private final SenderDomainSettings settings;
    private final Clock clock;

    public SenderDomainHandlers(Vertx vertx, SenderDomainStore store, SecretCipher cipher, DnsLookup dns,
                                SenderDomainSettings settings, Clock clock) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.store = requireNonNull(store, "store is null");
        this.cipher = requireNonNull(cipher, "cipher is null");
        this.dns = requireNonNull(dns, "dns is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The AES-GCM context a shop's DKIM key is sealed under: a ciphertext moved to another row does not open. */
    public static String keyContext(ShopId shop, String domain) {
        return com.ecomcrm.email.mail.DkimKey.sealedContext(shop.domain(), domain);
    }

    public Handler<RoutingContext> get() {
        return ctx -> store.find(shop(ctx)).map(this::json).onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> put() {
        return ctx -> {
            ShopId shop = shop(ctx);
            JsonBody body = JsonBody.of(ctx, "set the sender domain");
            String domain = body.requiredString("domain", 253).strip().toLowerCase(Locale.ROOT);
            if (domain.endsWith(".")) {
                domain = domain.substring(0, domain.length() - 1);
            }
            if (!DOMAIN.matcher(domain).matches()) {
                throw body.invalid("domain", "domain must be a domain name you own, like example.com");
            }
            if (domain.endsWith("myshopify.com") || domain.endsWith("shopify.com")) {
                throw body.invalid("domain", "domain must be your own domain, not a Shopify one");
            }
            String wanted = domain;
            store.find(shop)
                    .compose(existing -> existing.isPresent() && existing.get().domain().equals(wanted)
                            ? Future.succeededFuture(existing.get())
                            : vertx.executeBlocking(DkimKeyPair::generate, false).compose(pair -> store.replace(shop,
                                    wanted, settings.dkimSelector(),
                                    cipher.encrypt(pair.privateKeyPem(), keyContext(shop, wanted)),
                                    pair.publicKeyBase64())))
                    .map(stored -> json(Optional.of(stored)))
                    .onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    public Handler<RoutingContext> verify() {
        return ctx -> {
            ShopId shop = shop(ctx);
            store.find(shop)
                    .compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
                            : Future.failedFuture(new DomainException(ErrorCode.NOT_FOUND, "Cannot verify: this shop "
                            + "has no sender domain yet; PUT /api/sender-domain first")))
                    .compose(stored -> vertx.executeBlocking(() -> lookUp(stored), false)
                            .compose(results -> store.recordCheck(shop, stored.domain(), results, clock.instant())))
                    .map(stored -> json(Optional.of(stored)))
                    .onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    private List<SenderDomainRecords.DnsRecord> lookUp(SenderDomainStore.StoredDomain stored) {
        try {
            return SenderDomainRecords.check(expected(stored), dns, stored.publicKey(), settings);
        }
        catch (UncheckedIOException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot verify the sender domain now: the DNS look-up "
                    + "failed (" + e.getCause().getMessage() + "); try again in a minute", e);
        }
    }

    private List<SenderDomainRecords.DnsRecord> expected(SenderDomainStore.StoredDomain stored) {
        return SenderDomainRecords.expected(stored.domain(), stored.selector(), stored.publicKey(), settings);
    }

    private JsonObject json(Optional<SenderDomainStore.StoredDomain> found) {
        if (found.isEmpty()) {
            return new JsonObject().putNull("domain").put("status", "NONE").put("records", new JsonArray())
                    .putNull("checkedAt");
        }
        SenderDomainStore.StoredDomain stored = found.get();
        List<SenderDomainRecords.DnsRecord> records = stored.checkResults().isEmpty() ? expected(stored)
                : stored.checkResults();
        return new JsonObject()
                .put("domain", stored.domain())
                .put("status", stored.verifiedAt().isPresent() ? "VERIFIED" : "PENDING")
                .put("records", SenderDomainRecords.json(records))
                .put("checkedAt", stored.checkedAt().map(Object::toString).orElse(null));
    }

    private static ShopId shop(RoutingContext ctx) {
        return SessionTokenHandler.identity(ctx).shop();
    }
}
