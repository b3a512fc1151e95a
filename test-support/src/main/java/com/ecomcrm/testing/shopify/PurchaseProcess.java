package com.ecomcrm.testing.shopify;

/**
 * The BG/NBD parameters (time in weeks) of a generated store's buying customers: purchase rate
 * {@code lambda ~ Gamma(r, scale 1/alpha)}, dropout after each repeat purchase {@code p ~ Beta(a, b)}.
 * {@link #CDNOW} (the published fit, about 2.1 orders per customer over two years) is every store's default;
 * {@link #FREQUENT_BUYERS} makes a store whose customers come back far more often (consumables, subscriptions-like
 * shops), chosen so that a benchmark reaches ten orders per customer without ten times the customers.
 */
public record PurchaseProcess(double r, double alpha, double a, double b) {
    /** Fader, Hardie and Lee (2005), CDNOW: about 2.36 orders per buyer over the default two-year history. */
    public static final PurchaseProcess CDNOW = new PurchaseProcess(StoreGenerator.R, StoreGenerator.ALPHA,
            StoreGenerator.A, StoreGenerator.B);
    /**
     * Mean rate 0.375 orders a week, mean dropout 8%: about 11.1 orders per buyer over the default two-year history
     * (measured: 1,000 customers of the benchmark's first shop), so about 10 per customer with the 10% prospects.
     */
    public static final PurchaseProcess FREQUENT_BUYERS = new PurchaseProcess(1.5, 4.0, 0.7, 8.0);

    public PurchaseProcess {
        if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) {
            throw new IllegalArgumentException("Cannot use purchase process r=" + r + " alpha=" + alpha + " a=" + a
                    + " b=" + b + ": every parameter must be positive");
        }
    }
}
