package com.ecomcrm.api.customers;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The columns the customer list can be sorted by: the only values {@code sort=} accepts, each mapped to the column of
 * the reader's query it orders by (bound with {@code SqlTemplate.bindIdentifier}, never taken from the request).
 * Rows are always tie-broken by customer id, so paging is deterministic. Customers without the value (prospects'
 * recency, customers without predictions) sort last in both directions.
 */
public enum CustomerSort {
    RECENCY_DAYS("recency_days", "rfm_recency"),
    FREQUENCY("frequency", "frequency"),
    MONETARY("monetary", "monetary_cents"),
    CLV_12M("clv_12m", "clv_12m_cents"),
    PROBABILITY_ALIVE("probability_alive", "probability_alive"),
    CUSTOMER_ID("customer_id", "customer_id");

    private final String parameter;
    private final String column;

    CustomerSort(String parameter, String column) {
        this.parameter = parameter;
        this.column = column;
    }

    /** The value of {@code sort=} naming this order. */
    public String parameter() {
        return parameter;
    }

    /** The column of the list query (see {@link ClickHouseCustomerReader}) this sorts by. */
    String column() {
        return column;
    }

    static Optional<CustomerSort> fromParameter(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.parameter.equals(v)).findFirst();
    }

    static String allowed() {
        return String.join(", ", Arrays.stream(values()).map(CustomerSort::parameter).toList());
    }
}
