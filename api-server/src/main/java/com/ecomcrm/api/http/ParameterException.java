package com.ecomcrm.api.http;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import static java.util.Objects.requireNonNull;

/** A {@link DomainException} about one request parameter, which the error body names in {@code error.field}. */
public final class ParameterException extends DomainException {
    private final String parameter;

    public ParameterException(ErrorCode code, String parameter, String message) {
        super(code, message);
        this.parameter = requireNonNull(parameter, "parameter is null");
    }

    public String parameter() {
        return parameter;
    }
}
