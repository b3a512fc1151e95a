package com.ecomcrm.pipelines.email;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The last-touch rule on hand-built scenarios: one customer (or two) and a few sends and orders each. */
class LastTouchAttributionTest {
    private static final long ANNA = 1;
    private static final long BEN = 2;
    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
    private final LastTouchAttribution defaults = new LastTouchAttribution(AttributionWindows.DEFAULT);

    private static Instant days(double days) {
        return T0.plusSeconds(Math.round(days * 86_400));
    }

    private static AttributableOrder order(long id, long customer, Instant at, String total) {
        return new AttributableOrder(id, customer, at, new BigDecimal(total), BigDecimal.ZERO.setScale(2));
    }

    private static AttributableOrder refundedOrder(long id, long customer, Instant at, String total, String refunded) {
        return new AttributableOrder(id, customer, at, new BigDecimal(total), new BigDecimal(refunded));
    }

    private List<String> credited(LastTouchAttribution rule, List<Touch> touches, List<AttributableOrder> orders) {
        return rule.attribute(touches, orders).stream()
                .map(a -> "order " + a.orderId() + " -> send " + a.sendId() + " by " + a.through() + " "
                        + a.revenue())
                .toList();
    }

    @Test
    void theLatestClickInTheWindowEarnsTheOrder() {
        List<Touch> touches = List.of(Touch.click(10, ANNA, days(0)), Touch.click(11, ANNA, days(1)),
                Touch.open(12, ANNA, days(1.5)));

        assertThat(credited(defaults, touches, List.of(order(100, ANNA, days(2), "50.00"))))
                .containsExactly("order 100 -> send 11 by CLICK 50.00");
    }

    @Test
    void anOpenEarnsTheOrderOnlyWhenNoClickIsInItsWindow() {
        List<Touch> touches = List.of(Touch.click(10, ANNA, days(0)), Touch.open(12, ANNA, days(4)));

        // The click is 6 days old at the order: outside the 5-day click window, so the open 2 days before wins.
        assertThat(credited(defaults, touches, List.of(order(100, ANNA, days(6), "30.00"))))
                .containsExactly("order 100 -> send 12 by OPEN 30.00");
    }

    @Test
    void theWindowEdgeIsInclusive() {
        List<Touch> touches = List.of(Touch.click(10, ANNA, T0));

        assertThat(credited(defaults, touches, List.of(order(100, ANNA, days(5), "20.00"),
                order(101, ANNA, days(5).plusSeconds(1), "21.00"))))
                .containsExactly("order 100 -> send 10 by CLICK 20.00");
    }

    @Test
    void anOrderBeforeTheClickIsNotAttributedToIt() {
        List<Touch> touches = List.of(Touch.click(10, ANNA, days(1)));

        assertThat(credited(defaults, touches, List.of(order(100, ANNA, days(0.5), "40.00")))).isEmpty();
        // At the very instant of the click it is.
        assertThat(credited(defaults, touches, List.of(order(101, ANNA, days(1), "40.00"))))
                .containsExactly("order 101 -> send 10 by CLICK 40.00");
    }

    @Test
    void refundsAreDeductedAndAFullyRefundedOrderEarnsNothing() {
        List<Touch> touches = List.of(Touch.click(10, ANNA, T0));

        assertThat(credited(defaults, touches, List.of(refundedOrder(100, ANNA, days(1), "80.00", "30.00"),
                refundedOrder(101, ANNA, days(2), "25.00", "25.00"))))
                .containsExactly("order 100 -> send 10 by CLICK 50.00");
    }

    @Test
    void twoFlowsTouchingTheSameOrderCreditItOnceToTheLatest() {
        // Send 10 of one flow (say abandoned checkout) and send 20 of another (win-back), both clicked.
        List<Touch> touches = List.of(Touch.click(10, ANNA, days(0)), Touch.click(20, ANNA, days(0.5)));

        List<Attribution> credited = defaults.attribute(touches, List.of(order(100, ANNA, days(1), "60.00")));

        assertThat(credited).hasSize(1);
        assertThat(credited.get(0).sendId()).isEqualTo(20);
    }

    @Test
    void severalOrdersOfOneTouchAreEachCreditedOnce() {
        List<Touch> touches = List.of(Touch.click(10, ANNA, T0));

        assertThat(credited(defaults, touches, List.of(order(100, ANNA, days(1), "10.00"),
                order(101, ANNA, days(2), "15.00"))))
                .containsExactly("order 100 -> send 10 by CLICK 10.00", "order 101 -> send 10 by CLICK 15.00");
    }

    @Test
    void anotherCustomersTouchesNeverEarnAnOrder() {
        List<Touch> touches = List.of(Touch.click(10, BEN, T0));

        assertThat(credited(defaults, touches, List.of(order(100, ANNA, days(1), "10.00")))).isEmpty();
    }

    @Test
    void touchesAtTheSameInstantGoToTheHigherSendIdWhateverTheirOrder() {
        List<AttributableOrder> orders = List.of(order(100, ANNA, days(1), "10.00"));

        assertThat(credited(defaults, List.of(Touch.click(7, ANNA, T0), Touch.click(9, ANNA, T0)), orders))
                .containsExactly("order 100 -> send 9 by CLICK 10.00");
        assertThat(credited(defaults, List.of(Touch.click(9, ANNA, T0), Touch.click(7, ANNA, T0)), orders))
                .containsExactly("order 100 -> send 9 by CLICK 10.00");
    }

    @Test
    void theShopsOwnWindowsApply() {
        LastTouchAttribution shortWindows = new LastTouchAttribution(new AttributionWindows(1, 0));
        List<Touch> touches = List.of(Touch.open(12, ANNA, T0), Touch.click(10, ANNA, T0));

        assertThat(credited(shortWindows, touches, List.of(order(100, ANNA, days(1), "10.00"),
                order(101, ANNA, days(2), "11.00"))))
                .containsExactly("order 100 -> send 10 by CLICK 10.00");
        assertThatThrownBy(() -> new AttributionWindows(-1, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use attribution windows of -1 click days and 5 open days: windows are zero days"
                        + " or more");
    }
}
