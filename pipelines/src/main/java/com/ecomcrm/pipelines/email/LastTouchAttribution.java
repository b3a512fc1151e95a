package com.ecomcrm.pipelines.email;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which send earned an order, by last touch. An order is credited to the customer's latest human click in the click
 * window before it; when there is none, to the latest human open in the open window before it; otherwise to no
 * email. So:
 * <ul>
 *   <li>a click beats a more recent open (a click says more about intent than a pixel load);</li>
 *   <li>each order is credited at most once, to one send, even when several flows touched it;</li>
 *   <li>a touch after the order never earns it; a touch at the very instant of the order does;</li>
 *   <li>the window edge is inclusive: an order exactly {@code clickDays} days after the click is still credited;</li>
 *   <li>the credit is the net amount (total minus refunds); an order refunded in full earns nothing and is not
 *       counted;</li>
 *   <li>two touches at the same instant: the higher send id (the later scheduled send) wins, so the answer never
 *       depends on input order.</li>
 * </ul>
 * Touches and orders of different customers never meet. A plain class, so the rule is tested without Spark.
 */
public final class LastTouchAttribution {
    private static final Comparator<Touch> LATEST_FIRST = Comparator.comparing(Touch::at)
            .thenComparingLong(Touch::sendId).reversed();

    private final AttributionWindows windows;

    public LastTouchAttribution(AttributionWindows windows) {
        this.windows = requireNonNull(windows, "windows is null");
    }

    /** One attribution per credited order, in the order the orders were given. */
    public List<Attribution> attribute(Collection<Touch> touches, Collection<AttributableOrder> orders) {
        requireNonNull(touches, "touches is null");
        requireNonNull(orders, "orders is null");
        Map<Long, List<Touch>> byCustomer = new HashMap<>();
        for (Touch touch : touches) {
            byCustomer.computeIfAbsent(touch.customerId(), c -> new ArrayList<>()).add(touch);
        }
        byCustomer.values().forEach(list -> list.sort(LATEST_FIRST));
        List<Attribution> out = new ArrayList<>();
        for (AttributableOrder order : orders) {
            if (order.net().signum() <= 0) {
                continue;
            }
            List<Touch> candidates = byCustomer.getOrDefault(order.customerId(), List.of());
            latest(candidates, order, Touch.Kind.CLICK, windows.click())
                    .or(() -> latest(candidates, order, Touch.Kind.OPEN, windows.open()))
                    .ifPresent(touch -> out.add(new Attribution(order.orderId(), touch.sendId(), touch.kind(),
                            order.net())));
        }
        return out;
    }

    /** The latest touch of the kind at or before the order and no longer than {@code window} before it. */
    private static Optional<Touch> latest(List<Touch> latestFirst, AttributableOrder order, Touch.Kind kind,
                                          Duration window) {
        for (Touch touch : latestFirst) {
            if (touch.kind() != kind || touch.at().isAfter(order.orderedAt())) {
                continue;
            }
            // Sorted latest first: once one touch is too old, every later one in the list is older still.
            if (Duration.between(touch.at(), order.orderedAt()).compareTo(window) > 0) {
                return Optional.empty();
            }
            return Optional.of(touch);
        }
        return Optional.empty();
    }
}
