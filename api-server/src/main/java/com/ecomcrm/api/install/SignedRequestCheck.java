package com.ecomcrm.api.install;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * The checks every Shopify-signed browser request (install, OAuth callback) passes before anything else happens:
 * the shop is a {@code *.myshopify.com} host (400), the {@code hmac} verifies (401), the {@code timestamp} is within
 * the window (400). The shop is checked first because it needs no secret and gives the clearest answer; the HMAC
 * before the timestamp so an unsigned request learns nothing about our clock.
 */
public final class SignedRequestCheck {
    private final QueryHmac hmac;
    private final Clock clock;
    private final Duration window;

    public SignedRequestCheck(QueryHmac hmac, Clock clock, Duration window) {
        this.hmac = requireNonNull(hmac, "hmac is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.window = requireNonNull(window, "window is null");
    }

    /** The shop the request is for, once every check passed. */
    public ShopId check(SignedQuery query, String doing) {
        ShopId shop = shop(query, doing);
        if (query.get("hmac").isEmpty()) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "hmac", "Cannot " + doing + ": parameter hmac is missing");
        }
        if (!hmac.verifies(query)) {
            throw new ParameterException(ErrorCode.UNAUTHENTICATED, "hmac",
                    "Cannot " + doing + ": parameter hmac does not verify");
        }
        String timestamp = required(query, "timestamp", doing);
        Instant signedAt;
        try {
            signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp));
        }
        catch (NumberFormatException e) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "timestamp",
                    "Cannot " + doing + ": parameter timestamp is not a number of seconds");
        }
        if (Duration.between(signedAt, clock.instant()).abs().compareTo(window) > 0) {
            throw new ParameterException(ErrorCode.INVALID_INPUT, "timestamp", "Cannot " + doing
                    + ": parameter timestamp is more than " + window.toSeconds() + " s away from now");
        }
        return shop;
    }

    static ShopId shop(SignedQuery query, String doing) {
        String value = required(query, "shop", doing);
        try {
            return ShopId.of(value);
        }
        catch (DomainException e) {
            throw new ParameterException(ErrorCode.INVALID_SHOP, "shop", "Cannot " + doing + ": parameter shop "
                    + "is not a *.myshopify.com host");
        }
    }

    static String required(SignedQuery query, String name, String doing) {
        return query.get(name).filter(v -> !v.isBlank()).orElseThrow(() -> new ParameterException(
                ErrorCode.INVALID_INPUT, name, "Cannot " + doing + ": parameter " + name + " is missing"));
    }
}
