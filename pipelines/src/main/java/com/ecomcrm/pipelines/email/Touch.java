package com.ecomcrm.pipelines.email;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** A human open or click of one send by one customer (machine events never earn an order). */
public record Touch(long sendId, long customerId, Kind kind, Instant at) {
    public enum Kind { CLICK, OPEN }

    public Touch {
        requireNonNull(kind, "kind is null");
        requireNonNull(at, "at is null");
    }

    public static Touch click(long sendId, long customerId, Instant at) {
        return new Touch(sendId, customerId, Kind.CLICK, at);
    }

    public static Touch open(long sendId, long customerId, Instant at) {
        return new Touch(sendId, customerId, Kind.OPEN, at);
    }
}
