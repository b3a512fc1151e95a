package com.ecomcrm.api.tracking;

import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.tracking.EmailEvent;
import com.ecomcrm.tracking.MachineEventRule;
import com.ecomcrm.tracking.TrackingLinks;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The public tracking routes, reached from inside emails (no session; the signed token in the path is the only
 * credential, see {@link TrackingLinks}):
 * <ul>
 *   <li>{@code GET /t/o/<token>}: the open pixel. Verify, classify ({@link MachineEventRule}), land
 *       {@code email/open} durably, record in {@code email_events}, answer a 1x1 transparent GIF, never cached.</li>
 *   <li>{@code GET|HEAD /t/c/<token>}: the click. The destination comes only from the signed token (no open
 *       redirect) and must be an absolute http(s) URL; land {@code email/click}, record, answer 302 to exactly that
 *       URL.</li>
 *   <li>{@code GET /u/<token>}: a confirmation page whose form posts back to the same URL. Changes nothing, so link
 *       scanners fetching it unsubscribe no one.</li>
 *   <li>{@code POST /u/<token>}: RFC 8058 one-click ({@code List-Unsubscribe=One-Click}) or the page's form: suppress
 *       the address for the token's shop, consent UNSUBSCRIBED, land and record {@code email/unsubscribe} once.
 *       Idempotent.</li>
 * </ul>
 * The unsubscribe link of a test send (the merchant's own test, {@code is_test}) answers, GET or POST, a page saying
 * it was a test and nothing changed: the merchant's address is not suppressed and no event is recorded.
 * An unsigned, altered or wrong-kind token gets 400 and nothing else: no redirect, no event.
 *
 * <p>An open or a click is answered (pixel, redirect) only once it is durable: landed and recorded by
 * {@link TrackingIntake}, in a batch with the requests arriving at the same time (what durable means is written
 * there). If its batch fails (the disk or PostgreSQL is down), the recipient still gets the pixel and the redirect:
 * a merchant would rather lose one open or click from the statistics than have a customer's click on a sale link end
 * on an error page. The lost event is logged with its send (no address), and nothing of it was recorded, so no count
 * is ever half-made. The unsubscribe is different: it must take effect, so it answers "try again" when it cannot.
 */
public final class TrackingHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(TrackingHandlers.class);
    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
    private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");
    private static final int MAX_URL = 8192;

    private final Vertx vertx;
    private final TrackingLinks links;
    private final TrackingStore store;
    private final TrackingIntake intake;
    private final LandingZone landingZone;
    private final Clock clock;
    private final boolean trustForwardedFor;
    private final ClickBursts bursts = new ClickBursts();

    /**
     * @param trustForwardedFor take the client address from the first {@code X-Forwarded-For} entry; only behind a
     *                          proxy that sets it (otherwise a client could claim any address)
     */
    public TrackingHandlers(Vertx vertx, TrackingLinks links, TrackingStore store, TrackingIntake intake,
                            LandingZone landingZone, Clock clock, boolean trustForwardedFor) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.links = requireNonNull(links, "links is null");
        this.store = requireNonNull(store, "store is null");
        this.intake = requireNonNull(intake, "intake is null");
        this.landingZone = requireNonNull(landingZone, "landingZone is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.trustForwardedFor = trustForwardedFor;
    }

    public Handler<RoutingContext> open() {
        return this::handleOpen;
    }

    public Handler<RoutingContext> click() {
        return this::handleClick;
    }

    public Handler<RoutingContext> unsubscribePage() {
        return this::handleUnsubscribePage;
    }

    public Handler<RoutingContext> unsubscribe() {
        return this::handleUnsubscribe;
    }

    private void handleOpen(RoutingContext ctx) {
        Optional<TrackingLinks.Token> verified = verify(ctx, TrackingLinks.Kind.OPEN);
        if (verified.isEmpty()) {
            return;
        }
        TrackingLinks.Token token = verified.get();
        intake.receive(arrival(ctx, EmailEvent.Kind.OPEN, token, clock.instant(), Optional.empty(), 0))
                .onComplete(recorded -> {
                    if (recorded.failed()) {
                        LOG.warn("Open of send {} of {} not recorded (its batch failed); pixel served",
                                token.sendId(), token.shop(), recorded.cause());
                    }
                    TrackingPages.pixel(ctx);
                });
    }

    private void handleClick(RoutingContext ctx) {
        Optional<TrackingLinks.Token> verified = verify(ctx, TrackingLinks.Kind.CLICK);
        if (verified.isEmpty()) {
            return;
        }
        TrackingLinks.Token token = verified.get();
        Optional<String> refusal = destinationRefusal(token.url());
        if (refusal.isPresent()) {
            TrackingPages.badToken(ctx, refusal.get());
            return;
        }
        Instant at = clock.instant();
        int seenHere = bursts.noteAndCount(token.shop(), token.sendId(), at);
        intake.receive(arrival(ctx, EmailEvent.Kind.CLICK, token, at, Optional.of(token.url()), seenHere))
                .onComplete(recorded -> {
                    if (recorded.failed()) {
                        LOG.warn("Click of send {} of {} not recorded (its batch failed); redirected anyway",
                                token.sendId(), token.shop(), recorded.cause());
                    }
                    // The destination is the signed one, checked above: redirecting never depends on the record.
                    TrackingPages.redirect(ctx, token.url());
                });
    }

    private void handleUnsubscribePage(RoutingContext ctx) {
        Optional<TrackingLinks.Token> verified = verify(ctx, TrackingLinks.Kind.UNSUBSCRIBE);
        if (verified.isEmpty()) {
            return;
        }
        TrackingLinks.Token token = verified.get();
        store.recipient(token.shop(), token.sendId()).onComplete(found -> {
            if (found.failed()) {
                LOG.error("Cannot look up send {} of {} for the unsubscribe page", token.sendId(), token.shop(),
                        found.cause());
                TrackingPages.tryAgain(ctx);
            }
            else if (found.result().isEmpty()) {
                TrackingPages.noSuchSubscription(ctx);
            }
            else if (found.result().get().test()) {
                TrackingPages.testEmail(ctx, token.shop());
            }
            else {
                TrackingStore.Recipient recipient = found.result().get();
                TrackingPages.unsubscribeForm(ctx, token.shop(), recipient.email(), recipient.suppressed());
            }
        });
    }

    private void handleUnsubscribe(RoutingContext ctx) {
        Optional<TrackingLinks.Token> verified = verify(ctx, TrackingLinks.Kind.UNSUBSCRIBE);
        if (verified.isEmpty()) {
            return;
        }
        TrackingLinks.Token token = verified.get();
        Instant at = clock.instant();
        // Any POST counts: RFC 8058 senders post "List-Unsubscribe=One-Click", our own form posts the same field,
        // and refusing a variant would only keep sending to someone who asked to stop.
        store.recipient(token.shop(), token.sendId()).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(TrackingStore.UnsubscribeOutcome.NO_SUCH_SEND);
            }
            if (found.get().test()) {
                // The merchant trying the link of their own test: no suppression of their address, no consent
                // change, no event (the email statistics never see it).
                return Future.succeededFuture(TrackingStore.UnsubscribeOutcome.TEST_EMAIL);
            }
            EmailEvent event = new EmailEvent(EmailEvent.unsubscribeEventId(token.sendId()),
                    EmailEvent.Kind.UNSUBSCRIBE, token.shop(), token.sendId(), at, Optional.empty(), "POST",
                    userAgent(ctx), clientIp(ctx), Optional.empty(), found.get().sentAt());
            return land(event).compose(landed -> store.unsubscribe(event));
        }).onComplete(result -> {
            if (result.failed()) {
                LOG.error("Cannot unsubscribe send {} of {}", token.sendId(), token.shop(), result.cause());
                TrackingPages.tryAgain(ctx);
                return;
            }
            switch (result.result()) {
                case NO_SUCH_SEND -> TrackingPages.noSuchSubscription(ctx);
                case UNSUBSCRIBED -> TrackingPages.unsubscribed(ctx, token.shop(), false);
                case ALREADY_UNSUBSCRIBED -> TrackingPages.unsubscribed(ctx, token.shop(), true);
                case TEST_EMAIL -> TrackingPages.testEmail(ctx, token.shop());
            }
        });
    }

    /** The verified token if it is signed, intact and of the route's kind; otherwise answers 400 and returns empty. */
    private Optional<TrackingLinks.Token> verify(RoutingContext ctx, TrackingLinks.Kind expected) {
        Optional<TrackingLinks.Token> token = links.verify(ctx.pathParam("token"));
        if (token.isEmpty()) {
            TrackingPages.badToken(ctx, "Cannot use this link: it is incomplete or was altered (its signature does "
                    + "not match). Nothing was recorded and you were not redirected.");
            return Optional.empty();
        }
        if (token.get().kind() != expected) {
            TrackingPages.badToken(ctx, "Cannot use this link here: it is a "
                    + token.get().kind().name().toLowerCase(Locale.ROOT) + " link, not a "
                    + expected.name().toLowerCase(Locale.ROOT) + " link.");
            return Optional.empty();
        }
        return token;
    }

    /**
     * Why a signed click destination is still refused, if it is: only absolute http(s) URLs with a host, no control
     * characters or spaces (they would break the Location header), at most {@value #MAX_URL} characters. The
     * sender only ever signs such links; anything else means a signing bug or a leaked key.
     */
    static Optional<String> destinationRefusal(String url) {
        if (url == null || url.isEmpty() || url.length() > MAX_URL) {
            return Optional.of("Cannot follow this link: it has no usable destination.");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c == 0x7f || c > 0x7e && Character.isWhitespace(c)) {
                return Optional.of("Cannot follow this link: its destination contains spaces or control characters.");
            }
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return Optional.of("Cannot follow this link: only http and https destinations are allowed.");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                return Optional.of("Cannot follow this link: its destination has no host.");
            }
        }
        catch (java.net.URISyntaxException e) {
            return Optional.of("Cannot follow this link: its destination is not a valid URL.");
        }
        return Optional.empty();
    }

    private TrackingIntake.Arrival arrival(RoutingContext ctx, EmailEvent.Kind kind, TrackingLinks.Token token,
                                           Instant at, Optional<String> url, int clicksBefore) {
        return new TrackingIntake.Arrival(kind, new TrackingStore.SendRef(token.shop(), token.sendId()), at, url,
                ctx.request().method().name(), userAgent(ctx), clientIp(ctx), clicksBefore);
    }

    /**
     * Lands an unsubscribe durably (group-committed fsync on a worker thread). A failure is logged, not passed on:
     * the suppression in PostgreSQL is what stops the emails, and it must not wait for the landing zone.
     */
    private Future<Void> land(EmailEvent event) {
        LandingEnvelope envelope = LandingEnvelope.tracking(event.shop(), event.kind().topic(), event.eventId(),
                event.occurredAt(), event.toJson());
        Future<Path> landed = vertx.executeBlocking(() -> landingZone.appendTracking(envelope), false);
        return landed.<Void>mapEmpty().otherwise(failure -> {
            LOG.error("Cannot land {} of send {} of {} (event {})", event.kind().topic(), event.sendId(),
                    event.shop(), event.eventId(), failure);
            return null;
        });
    }

    private static Optional<String> userAgent(RoutingContext ctx) {
        return Optional.ofNullable(ctx.request().getHeader("User-Agent")).filter(ua -> !ua.isBlank());
    }

    /** The client address: the socket's, or the first X-Forwarded-For entry when trusted. Only literal addresses. */
    private Optional<String> clientIp(RoutingContext ctx) {
        String ip = null;
        if (trustForwardedFor) {
            String forwarded = ctx.request().getHeader("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                ip = forwarded.split(",", 2)[0].strip();
            }
        }
        if (ip == null && ctx.request().remoteAddress() != null) {
            ip = ctx.request().remoteAddress().hostAddress();
        }
        return Optional.ofNullable(ip).flatMap(TrackingHandlers::literalAddress);
    }

    /** The address if it is an IPv4 or IPv6 literal (never resolved: no DNS lookups on request data). */
    static Optional<String> literalAddress(String candidate) {
        if (IPV4.matcher(candidate).matches()) {
            for (String octet : candidate.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return Optional.empty();
                }
            }
            return Optional.of(candidate);
        }
        if (candidate.contains(":") && IPV6.matcher(candidate).matches()) {
            try {
                // With a colon in it, the JDK parses the text as an IPv6 literal and never asks DNS.
                return Optional.of(java.net.InetAddress.getByName(candidate).getHostAddress());
            }
            catch (java.net.UnknownHostException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

}
