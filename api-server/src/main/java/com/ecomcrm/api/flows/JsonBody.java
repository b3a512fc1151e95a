package com.ecomcrm.api.flows;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A request's JSON object body, read field by field: every refusal is a {@link ParameterException} naming the field,
 * so the dashboard can put the message next to the input at fault. Shared by the flows, templates and settings routes.
 */
public final class JsonBody {
    private final JsonObject body;
    private final String action;

    private JsonBody(JsonObject body, String action) {
        this.body = body;
        this.action = action;
    }

    /** @param action what the request does, for messages: "Cannot {action}: ..." */
    public static JsonBody of(RoutingContext ctx, String action) {
        requireNonNull(action, "action is null");
        try {
            JsonObject body = ctx.body() == null || ctx.body().length() <= 0 ? null : ctx.body().asJsonObject();
            if (body == null) {
                throw new ParameterException(ErrorCode.INVALID_INPUT, "body",
                        "Cannot " + action + ": the body must be a JSON object");
            }
            return new JsonBody(body, action);
        }
        catch (DecodeException | ClassCastException e) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "body",
                    "Cannot " + action + ": the body is not a JSON object");
        }
    }

    public boolean has(String field) {
        return body.containsKey(field);
    }

    public JsonObject raw() {
        return body;
    }

    public String requiredString(String field, int maxLength) {
        return optionalString(field, maxLength).orElseThrow(() -> invalid(field, field + " is required"));
    }

    /** Absent or null: empty; present: a string of at most {@code maxLength} characters. */
    public Optional<String> optionalString(String field, int maxLength) {
        Object value = body.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw invalid(field, field + " must be a string");
        }
        if (text.length() > maxLength) {
            throw invalid(field, field + " must be at most " + maxLength + " characters");
        }
        if (text.indexOf(0) >= 0) {
            // PostgreSQL text cannot hold NUL; no template, name or address needs it.
            throw invalid(field, field + " must not contain the NUL character (\\u0000)");
        }
        return Optional.of(text);
    }

    public Optional<Boolean> optionalBoolean(String field) {
        Object value = body.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Boolean flag)) {
            throw invalid(field, field + " must be true or false");
        }
        return Optional.of(flag);
    }

    /** An integer in {@code [min, max]}; a number with a fraction or a string is refused. */
    public Optional<Integer> optionalInt(String field, int min, int max) {
        Object value = body.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
                || ((Number) value).longValue() > max) {
            throw invalid(field, field + " must be a whole number from " + min + " to " + max);
        }
        return Optional.of(((Number) value).intValue());
    }

    /** A positive id (a JSON number, or a string of digits as JavaScript clients send large ids). */
    public Optional<Long> optionalId(String field) {
        Object value = body.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        return Optional.of(id(field, value));
    }

    public Optional<JsonObject> optionalObject(String field) {
        Object value = body.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof JsonObject object)) {
            throw invalid(field, field + " must be a JSON object");
        }
        if (object.encode().contains("\\u0000")) {
            // Stored as jsonb, which refuses the NUL character anywhere in its strings.
            throw invalid(field, field + " must not contain the NUL character (\\u0000)");
        }
        return Optional.of(object);
    }

    public ParameterException invalid(String field, String why) {
        return new ParameterException(ErrorCode.INVALID_INPUT, field, "Cannot " + action + ": " + why);
    }

    /** A positive id from a path parameter or body value; anything else is a 400 naming the field. */
    public static long id(String field, Object value) {
        try {
            long id = value instanceof Integer || value instanceof Long ? ((Number) value).longValue()
                    : value instanceof String text && text.matches("[0-9]{1,18}") ? Long.parseLong(text) : -1;
            if (id > 0) {
                return id;
            }
        }
        catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw new ParameterException(ErrorCode.INVALID_INPUT, field, "Cannot read " + field + ": it must be a "
                + "positive whole number");
    }

    /** The path parameter {@code name} as an id. */
    public static long pathId(RoutingContext ctx, String name) {
        return id(name, ctx.pathParam(name));
    }
}
