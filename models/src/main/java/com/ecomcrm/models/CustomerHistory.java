package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

/**
 * A customer's calibration-period summary, the sufficient statistics of BG/NBD and Gamma-Gamma, in the notation of
 * Fader, Hardie and Lee (2005):
 *
 * <ul>
 *   <li>{@code frequency} x: the number of repeat purchase days (purchase days after the first one);</li>
 *   <li>{@code recency} t_x: weeks from the first purchase to the last repeat purchase (0 when x = 0);</li>
 *   <li>{@code age} T: weeks from the first purchase to the end of the calibration period;</li>
 *   <li>{@code meanRepeatValue} m_x: the mean value of the x repeat purchase days, the first purchase excluded
 *       (0 when x = 0).</li>
 * </ul>
 */
public record CustomerHistory(String id, int frequency, double recency, double age, double meanRepeatValue) {
    public CustomerHistory {
        if (id == null || id.isBlank()) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot summarise a customer: the id is blank");
        }
        if (frequency < 0) {
            throw fail(id, "frequency " + frequency + " is negative");
        }
        if (!Double.isFinite(age) || age < 0) {
            throw fail(id, "age " + age + " is not a finite number of weeks >= 0");
        }
        if (!Double.isFinite(recency) || recency < 0 || recency > age) {
            throw fail(id, "recency " + recency + " is outside 0.." + age + " weeks");
        }
        if (frequency == 0 && recency != 0) {
            throw fail(id, "recency " + recency + " is not 0 for a customer without repeat purchases");
        }
        if (!Double.isFinite(meanRepeatValue) || meanRepeatValue < 0) {
            throw fail(id, "mean repeat value " + meanRepeatValue + " is not a finite amount >= 0");
        }
        if (frequency == 0 && meanRepeatValue != 0) {
            throw fail(id, "mean repeat value " + meanRepeatValue
                    + " is not 0 for a customer without repeat purchases");
        }
    }

    private static DomainException fail(String id, String why) {
        return new DomainException(ErrorCode.INVALID_INPUT, "Cannot summarise customer " + id + ": " + why);
    }
}
