package com.ecomcrm.api.settings;

import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.flows.JsonBody;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/settings} and {@code PUT /api/settings} for the session token's shop:
 * {@code {"timezone","quietHours":{"enabled","start","end"},"attribution":{"clickDays","openDays"},"fromName",
 * "replyTo"}}. PUT takes the same shape, every field required except fromName and replyTo (null clears them):
 * an IANA time zone ({@code Europe/Paris}; {@code UTC} too), times as {@code HH:MM}, windows of 1 to 30 days, a
 * reply-to that is an email address.
 */
public final class SettingsHandlers {
    /** A From display name with these could forge headers or break the address syntax. */
    private static final Pattern UNSAFE_NAME = Pattern.compile("[\\r\\n<>\"]");
    private static final Pattern HH_MM = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
    private static final DateTimeFormatter HH_MM_OUT = DateTimeFormatter.ofPattern("HH:mm");
    static final int MAX_FROM_NAME = 100;

    private final SettingsStore store;
    private final SenderDomainHandlers senderDomain;

    public SettingsHandlers(SettingsStore store, SenderDomainHandlers senderDomain) {
        this.store = requireNonNull(store, "store is null");
        this.senderDomain = requireNonNull(senderDomain, "senderDomain is null");
    }

    public Handler<RoutingContext> get() {
        return ctx -> store.get(shop(ctx)).map(SettingsHandlers::json).onSuccess(ctx::json).onFailure(ctx::fail);
    }

    public Handler<RoutingContext> put() {
        return ctx -> {
            ShopEmailSettings settings = parse(JsonBody.of(ctx, "save the settings"));
            store.put(shop(ctx), settings).map(SettingsHandlers::json).onSuccess(ctx::json).onFailure(ctx::fail);
        };
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
        return new ShopEmailSettings(zone, (Boolean) enabled, start, end, clickDays, openDays, fromName, replyTo);
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
                .put("replyTo", s.replyTo().orElse(null));
    }

    private static String quote(String text) {
        return "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
    }

    private static ShopId shop(RoutingContext ctx) {
        return SessionTokenHandler.identity(ctx).shop();
    }
}
