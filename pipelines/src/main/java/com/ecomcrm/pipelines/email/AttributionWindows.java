package com.ecomcrm.pipelines.email;

import java.time.Duration;

/**
 * How long after a human click, and after a human open, an order still counts as earned by the email. Per shop
 * (PostgreSQL {@code shop_email_settings.attribution_click_days} / {@code attribution_open_days}); 5 and 5 days when
 * the shop has not chosen.
 */
public record AttributionWindows(int clickDays, int openDays) {
    public static final AttributionWindows DEFAULT = new AttributionWindows(5, 5);

    public AttributionWindows {
        if (clickDays < 0 || openDays < 0) {
            throw new IllegalArgumentException("Cannot use attribution windows of " + clickDays + " click days and "
                    + openDays + " open days: windows are zero days or more");
        }
    }

    Duration click() {
        return Duration.ofDays(clickDays);
    }

    Duration open() {
        return Duration.ofDays(openDays);
    }
}
