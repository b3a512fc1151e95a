package com.ecomcrm.api.settings;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.flows.JsonBody;
import com.ecomcrm.api.http.PlanRequiredException;
import com.ecomcrm.api.plans.PlanAccess;
import com.ecomcrm.api.plans.PlanGate;
import com.ecomcrm.domain.PlanFeature;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.ShopSender;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/settings} and {@code PUT /api/settings} for the session token's shop:
 * {@code {"timezone","quietHours":{"enabled","start","end"},"attribution":{"clickDays","openDays"},"fromName",
 * "replyTo","fromAddress","postalAddress"}}. PUT takes the same shape, every field required except fromName,
 * replyTo, fromAddress and postalAddress (null clears them): an IANA time zone ({@code Europe/Paris}; {@code UTC}
 * too), times as {@code HH:MM}, windows of 1 to 30 days, a reply-to that is an email address, a From address whose
 * local part is a plain mailbox name and whose domain is the shop's verified sender domain (else 400 on
 * {@code fromAddress}: mail from any other domain would fail the receivers' DMARC checks), a postal address of at
 * most 300 characters (line breaks become ", ").
 */
public final class SettingsHandlers {
    /** A From display name with these could forge headers or break the address syntax. */
    private static final Pattern UNSAFE_NAME = Pattern.compile("[\\r\\n<>\"]");
    private static final Pattern HH_MM = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
    private static final DateTimeFormatter HH_MM_OUT = DateTimeFormatter.ofPattern("HH:mm");
    /** RFC 5322 dot-atom: what a mailbox name may be without quoting (no quoted local parts from merchants). */
    private static final Pattern LOCAL_PART = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    static final int MAX_FROM_NAME = 100;
    static final int MAX_LOCAL_PART = 64;
    static final int MAX_POSTAL_ADDRESS = 300;

    private final SettingsStore store;
    private final SenderDomainStore domains;
    private final SenderDomainHandlers senderDomain;

    public SettingsHandlers(SettingsStore store, SenderDomainStore domains, SenderDomainHandlers senderDomain) {
        this.store = requireNonNull(store, "store is null");
        this.domains = requireNonNull(domains, "domains is null");
        this.senderDomain = requireNonNull(senderDomain, "senderDomain is null");
    }

    public Handler<RoutingContext> get() {
        return ctx -> store.get(shop(ctx)).map(SettingsHandlers::json).onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> put() {
        return ctx -> {
            JsonBody body = JsonBody.of(ctx, "save the settings");
            ShopEmailSettings settings = parse(body);
            ShopId shop = shop(ctx);
            checkPlan(ctx, shop, settings.fromAddress())
                    .compose(ok -> checkFromAddress(shop, settings.fromAddress(), body))
                    .compose(ok -> store.put(shop, settings))
                    .map(SettingsHandlers::json).onSuccess(ctx::json).onFailure(ctx::fail);
        };
    }

    /**
     * A From address of the merchant's own is part of the plans with an own sender domain. After a downgrade the stored
     * one may be saved again unchanged (nothing is deleted, and the other settings stay editable; the send job uses the
     * app's address meanwhile) or cleared, but not set to a new address.
     */
    private Future<Void> checkPlan(RoutingContext ctx, ShopId shop, Optional<String> fromAddress) {
        Optional<PlanAccess> lacking = PlanGate.access(ctx).filter(a -> !a.allows(PlanFeature.OWN_SENDER_DOMAIN));
        if (fromAddress.isEmpty() || lacking.isEmpty()) {
            return Future.succeededFuture();
        }
        return store.get(shop).compose(stored -> stored.fromAddress().equals(fromAddress) ? Future.<Void>succeededFuture()
                : Future.failedFuture(new PlanRequiredException(PlanFeature.OWN_SENDER_DOMAIN, lacking.get().plan(),
                Optional.of("fromAddress"))));
    }

    /** A From address must be at the shop's sender domain, and that domain verified. */
    private Future<Void> checkFromAddress(ShopId shop, Optional<String> fromAddress, JsonBody body) {
        if (fromAddress.isEmpty()) {
            return Future.succeededFuture();
        }
        return domains.find(shop).compose(found -> {
            Optional<SenderDomainStore.StoredDomain> verified = found.filter(d -> d.verifiedAt().isPresent());
            if (verified.isEmpty()) {
                return Future.failedFuture(body.invalid("fromAddress", "Cannot use a From address of your own "
                        + "before your sender domain is verified: set it up under Sender domain and check its DNS "
                        + "records first (until then emails go from our address, with replies to you)"));
            }
            String domain = verified.get().domain().toLowerCase(Locale.ROOT);
            if (!ShopSender.domainOf(fromAddress.get()).equals(domain)) {
                return Future.failedFuture(body.invalid("fromAddress", "fromAddress must be at your verified "
                        + "sender domain " + domain + ", for example hello@" + domain));
            }
            return Future.succeededFuture();
        });
    }

    /** The sender-domain routes ({@code /api/sender-domain}). */
    public SenderDomainHandlers senderDomain() {
        return senderDomain;
    }

    static ShopEmailSettings parse(JsonBody body) {
        String zoneText = body.requiredString("timezone", 64).strip();
        ZoneId zone;
        try {
            zone = zoneText.equals("UTC") ? ZoneOffset.UTC : ZoneId.of(zoneText);
            if (!zoneText.equals("UTC") && !ZoneId.getAvailableZoneIds().contains(zoneText)) {
                throw new DateTimeException("not a region id");
            }
        }
        catch (DateTimeException e) {
            throw body.invalid("timezone", "timezone must be an IANA time zone such as Europe/Paris, not "
                    + quote(zoneText));
        }
        JsonObject quiet = body.optionalObject("quietHours")
                .orElseThrow(() -> body.invalid("quietHours", "quietHours is required"));
        Object enabled = quiet.getValue("enabled");
        if (!(enabled instanceof Boolean)) {
            throw body.invalid("quietHours.enabled", "quietHours.enabled must be true or false");
        }
        LocalTime start = time(body, quiet, "start");
        LocalTime end = time(body, quiet, "end");
        JsonObject attribution = body.optionalObject("attribution")
                .orElseThrow(() -> body.invalid("attribution", "attribution is required"));
        int clickDays = days(body, attribution, "clickDays");
        int openDays = days(body, attribution, "openDays");
        Optional<String> fromName = body.optionalString("fromName", MAX_FROM_NAME).map(String::strip)
                .filter(s -> !s.isEmpty());
        if (fromName.isPresent() && UNSAFE_NAME.matcher(fromName.get()).find()) {
            throw body.invalid("fromName", "fromName must not contain line breaks, quotes or angle brackets");
        }
        Optional<String> replyTo = body.optionalString("replyTo", 254).map(String::strip).filter(s -> !s.isEmpty());
        if (replyTo.isPresent() && !EmailAddress.valid(replyTo.get())) {
            throw body.invalid("replyTo", "replyTo must be an email address like name@example.com");
        }
        Optional<String> fromAddress = body.optionalString("fromAddress", 254).map(String::strip)
                .filter(s -> !s.isEmpty());
        if (fromAddress.isPresent()) {
            String address = fromAddress.get();
            int at = address.lastIndexOf('@');
            String local = at < 0 ? address : address.substring(0, at);
            if (at <= 0 || local.length() > MAX_LOCAL_PART || !LOCAL_PART.matcher(local).matches()
                    || !EmailAddress.valid(address)) {
                throw body.invalid("fromAddress", "fromAddress must be a plain address like hello@your-domain.com: "
                        + "letters, digits and symbols such as . _ - + before the @ (at most " + MAX_LOCAL_PART + "), no spaces "
                        + "or quotes");
            }
            fromAddress = Optional.of(local + "@" + ShopSender.domainOf(address));
        }
        Optional<String> postalAddress = body.optionalString("postalAddress", MAX_POSTAL_ADDRESS)
                .map(text -> String.join(", ", text.strip().lines().map(String::strip).filter(l -> !l.isEmpty())
                        .toList()))
                .filter(s -> !s.isEmpty());
        if (postalAddress.isPresent() && postalAddress.get().chars().anyMatch(Character::isISOControl)) {
            throw body.invalid("postalAddress", "postalAddress must not contain control characters");
        }
        return new ShopEmailSettings(zone, (Boolean) enabled, start, end, clickDays, openDays, fromName, replyTo,
                fromAddress, postalAddress);
    }

    private static LocalTime time(JsonBody body, JsonObject quiet, String field) {
        Object value = quiet.getValue(field);
        if (!(value instanceof String text) || !HH_MM.matcher(text).matches()) {
            throw body.invalid("quietHours." + field, "quietHours." + field + " must be a time HH:MM (00:00 to "
                    + "23:59)");
        }
        return LocalTime.parse(text);
    }

    private static int days(JsonBody body, JsonObject attribution, String field) {
        Object value = attribution.getValue(field);
        if (!(value instanceof Integer || value instanceof Long)
                || ((Number) value).longValue() < ShopEmailSettings.MIN_ATTRIBUTION_DAYS
                || ((Number) value).longValue() > ShopEmailSettings.MAX_ATTRIBUTION_DAYS) {
            throw body.invalid("attribution." + field, "attribution." + field + " must be a whole number of days "
                    + "from " + ShopEmailSettings.MIN_ATTRIBUTION_DAYS + " to "
                    + ShopEmailSettings.MAX_ATTRIBUTION_DAYS);
        }
        return ((Number) value).intValue();
    }

    static JsonObject json(ShopEmailSettings s) {
        return new JsonObject()
                .put("timezone", s.timezone().equals(ZoneOffset.UTC) ? "UTC" : s.timezone().getId())
                .put("quietHours", new JsonObject().put("enabled", s.quietHoursEnabled())
                        .put("start", s.quietStart().format(HH_MM_OUT)).put("end", s.quietEnd().format(HH_MM_OUT)))
                .put("attribution", new JsonObject().put("clickDays", s.attributionClickDays())
                        .put("openDays", s.attributionOpenDays()))
                .put("fromName", s.fromName().orElse(null))
                .put("replyTo", s.replyTo().orElse(null))
                .put("fromAddress", s.fromAddress().orElse(null))
                .put("postalAddress", s.postalAddress().orElse(null));
    }

    private static String quote(String text) {
        return "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
    }

    private static ShopId shop(RoutingContext ctx) {
        return SessionTokenHandler.identity(ctx).shop();
    }
}
