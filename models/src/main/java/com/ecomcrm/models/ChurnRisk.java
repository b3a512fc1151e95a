package com.ecomcrm.models;

/**
 * A customer's churn-risk band from the BG/NBD probability of being alive: LOW when P(alive) &gt;= 0.7, MEDIUM when
 * 0.3 &lt;= P(alive) &lt; 0.7, HIGH when P(alive) &lt; 0.3.
 */
public enum ChurnRisk {
    LOW, MEDIUM, HIGH;

    public static final double LOW_RISK_MIN_ALIVE = 0.7;
    public static final double MEDIUM_RISK_MIN_ALIVE = 0.3;

    public static ChurnRisk of(double probabilityAlive) {
        if (probabilityAlive >= LOW_RISK_MIN_ALIVE) {
            return LOW;
        }
        return probabilityAlive >= MEDIUM_RISK_MIN_ALIVE ? MEDIUM : HIGH;
    }
}
