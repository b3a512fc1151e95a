package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One purchase line of a customer: the day it was made and its value. Several lines on one day are one purchase
 * occasion for the models (see {@link CalibrationSummary}); a zero-value line still counts.
 */
public record Purchase(String customerId, LocalDate date, BigDecimal amount) {
    public Purchase {
        if (customerId == null || customerId.isBlank()) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot make a purchase: the customer id is blank");
        }
        Objects.requireNonNull(date, "date is null");
        Objects.requireNonNull(amount, "amount is null");
        if (amount.signum() < 0) {
            throw new DomainException(ErrorCode.INVALID_INPUT,
                    "Cannot make a purchase for customer " + customerId + " on " + date + ": amount " + amount
                            + " is negative");
        }
    }
}
