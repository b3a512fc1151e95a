package com.ecomcrm.models;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-customer predictions from fitted BG/NBD and Gamma-Gamma parameters, as of the day the history was summarised
 * (its calibration end). Definitions:
 *
 * <ul>
 *   <li><b>Expected purchases</b> in the next 30, 90 and 365 days: the BG/NBD conditional expectation
 *       E[Y(t) | x, t_x, T] with t = days / 7 weeks.</li>
 *   <li><b>Predicted 12-month value</b>: expected purchases in the next 52 weeks times the Gamma-Gamma expected
 *       value per purchase E[Z | x, m_x]. With an annual discount rate d &gt; 0 the 52 weeks are cut into 12 months
 *       of 52/12 weeks; month k's expected purchases E[Y(k 52/12)] - E[Y((k-1) 52/12)] are discounted by
 *       (1 + d)^(-k/12), i.e. at the monthly rate (1 + d)^(1/12) - 1, each month's purchases counted at its end. With
 *       d = 0 this is exactly E[Y(52)] E[Z].</li>
 *   <li><b>Churn risk</b>: {@link ChurnRisk#of(double)} of P(alive): LOW &gt;= 0.7 &gt; MEDIUM &gt;= 0.3 &gt; HIGH.</li>
 *   <li><b>Expected next-order date</b>: the as-of day plus the time t* (rounded to whole days) at which the expected
 *       number of purchases in (T, T + t*] reaches 1; found by Brent's method on the increasing function
 *       E[Y(t)] - 1, so it is deterministic. Empty when E[Y] stays below 1 for {@link #NEXT_ORDER_HORIZON_WEEKS}
 *       weeks: a customer who probably will not buy again within five years has no expected next order.</li>
 * </ul>
 */
public final class CustomerLifetimeValue {
    public static final double CLV_HORIZON_WEEKS = 52.0;
    public static final double NEXT_ORDER_HORIZON_WEEKS = 260.0;
    private static final int MONTHS = 12;

    private CustomerLifetimeValue() {
    }

    /** Predictions without discounting. */
    public static CustomerPrediction predict(BgNbdParameters bgNbd, GammaGammaParameters gammaGamma,
                                             CustomerHistory history, LocalDate asOf) {
        return predict(bgNbd, gammaGamma, history, asOf, 0.0);
    }

    /** Predictions with the 12-month value discounted monthly at {@code annualDiscountRate} (0.1 = 10% a year). */
    public static CustomerPrediction predict(BgNbdParameters bgNbd, GammaGammaParameters gammaGamma,
                                             CustomerHistory history, LocalDate asOf, double annualDiscountRate) {
        Objects.requireNonNull(bgNbd, "bgNbd is null");
        Objects.requireNonNull(gammaGamma, "gammaGamma is null");
        Objects.requireNonNull(history, "history is null");
        Objects.requireNonNull(asOf, "asOf is null");
        double alive = BgNbd.probabilityAlive(bgNbd, history);
        double value = GammaGamma.expectedAverageValue(gammaGamma, history);
        return new CustomerPrediction(history.id(),
                BgNbd.expectedPurchases(bgNbd, history, 30 / 7.0),
                BgNbd.expectedPurchases(bgNbd, history, 90 / 7.0),
                BgNbd.expectedPurchases(bgNbd, history, 365 / 7.0),
                alive, value,
                predictedValue(bgNbd, history, value, annualDiscountRate),
                ChurnRisk.of(alive),
                expectedNextOrder(bgNbd, history, asOf));
    }

    /** The predicted 12-month value for a known expected value per purchase (see the class comment). */
    public static double predictedValue(BgNbdParameters bgNbd, CustomerHistory history, double expectedAverageValue,
                                        double annualDiscountRate) {
        if (!(annualDiscountRate >= 0) || !Double.isFinite(annualDiscountRate)) {
            throw new DomainException(ErrorCode.INVALID_INPUT, "Cannot discount the lifetime value: annual rate "
                    + annualDiscountRate + " is not a finite number >= 0");
        }
        if (annualDiscountRate == 0) {
            return BgNbd.expectedPurchases(bgNbd, history, CLV_HORIZON_WEEKS) * expectedAverageValue;
        }
        double monthlyFactor = Math.pow(1 + annualDiscountRate, -1.0 / MONTHS);
        double weeksPerMonth = CLV_HORIZON_WEEKS / MONTHS;
        double total = 0;
        double before = 0;
        double discount = 1;
        for (int month = 1; month <= MONTHS; month++) {
            double upTo = BgNbd.expectedPurchases(bgNbd, history, month * weeksPerMonth);
            discount *= monthlyFactor;
            total += (upTo - before) * discount;
            before = upTo;
        }
        return total * expectedAverageValue;
    }

    /** The as-of day plus the weeks until one purchase is expected, or empty (see the class comment). */
    public static Optional<LocalDate> expectedNextOrder(BgNbdParameters bgNbd, CustomerHistory history,
                                                        LocalDate asOf) {
        if (BgNbd.expectedPurchases(bgNbd, history, NEXT_ORDER_HORIZON_WEEKS) < 1) {
            return Optional.empty();
        }
        double weeks = new BrentSolver(1e-9, 1e-7).solve(200,
                t -> BgNbd.expectedPurchases(bgNbd, history, t) - 1, 0, NEXT_ORDER_HORIZON_WEEKS);
        return Optional.of(asOf.plusDays(Math.round(weeks * 7)));
    }
}
