package com.ecomcrm.api.tokens;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import static java.util.Objects.requireNonNull;

/**
 * Shopify's token endpoint said no (HTTP 4xx), as opposed to not answering: retrying the same request is pointless.
 * {@link #error()} is Shopify's {@code error} code, e.g. {@code invalid_subject_token} for a bad session token.
 */
public final class TokenRefusedException extends DomainException {
    private final String error;

    public TokenRefusedException(String error, String message) {
        super(ErrorCode.UNAUTHENTICATED, message);
        this.error = requireNonNull(error, "error is null");
    }

    public String error() {
        return error;
    }
}
