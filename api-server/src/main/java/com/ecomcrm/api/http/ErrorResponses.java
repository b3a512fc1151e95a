package com.ecomcrm.api.http;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * The one place error codes become HTTP statuses. Messages of {@link DomainException}s are written for the merchant and
 * hold no secret; anything else is a bug, answered with a reference the operator can find in the log.
 */
public final class ErrorResponses implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    @Override
    public void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (ctx.response().ended()) {
            return;
        }
        ErrorCode code;
        String message;
        if (failure instanceof DomainException domain) {
            code = domain.code();
            message = domain.getMessage();
        }
        else if (failure == null && ctx.statusCode() == 404) {
            code = ErrorCode.NOT_FOUND;
            message = "Cannot find " + ctx.request().path();
        }
        else if (failure == null && ctx.statusCode() == 405) {
            code = ErrorCode.INVALID_INPUT;
            message = "Cannot " + ctx.request().method() + " " + ctx.request().path();
        }
        else if (failure == null && ctx.statusCode() == 413) {
            code = ErrorCode.INVALID_INPUT;
            message = "Cannot accept request: body is too large";
        }
        else {
            String reference = UUID.randomUUID().toString();
            LOG.error("Request {} {} failed, reference {}", ctx.request().method(), ctx.request().path(), reference, failure);
            code = ctx.statusCode() == 503 ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
            message = "Something went wrong on our side; reference " + reference;
        }
        int status = statusOf(code);
        if (code == ErrorCode.UNAUTHENTICATED && ctx.request().path().startsWith("/api/")) {
            // App Bridge retries once with a fresh session token when it sees this header. Only /api/* is called
            // by App Bridge; a refused OAuth callback is not a session-token problem.
            ctx.response().putHeader("X-Shopify-Retry-Invalid-Session-Request", "1");
        }
        JsonObject error = new JsonObject().put("code", code.name()).put("message", message);
        if (failure instanceof ParameterException parameter) {
            error.put("field", parameter.parameter());
        }
        if (failure instanceof PlanRequiredException planRequired) {
            // The dashboard shows an upgrade prompt from these, without parsing the message.
            error.put("feature", planRequired.feature().key())
                    .put("plan", planRequired.feature().lowestPlan())
                    .put("current_plan", planRequired.currentPlan());
            planRequired.parameter().ifPresent(parameter -> error.put("field", parameter));
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", error).encode());
    }

    public static int statusOf(ErrorCode code) {
        return switch (code) {
            case INVALID_SHOP, INVALID_INPUT -> 400;
            case UNAUTHENTICATED -> 401;
            case PLAN_REQUIRED -> 403;
            case NOT_FOUND -> 404;
            case UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }
}
