package com.ecomcrm.api.settings;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a merchant sets about their emails: the shop's time zone ({@code shops.timezone}), quiet hours, the
 * attribution windows, the sender name and reply-to address ({@code shop_email_settings}, V6 and V9), the From
 * address at the shop's verified sender domain and the postal address of the emails' footer (V14).
 */
public record ShopEmailSettings(ZoneId timezone, boolean quietHoursEnabled, LocalTime quietStart, LocalTime quietEnd,
                                int attributionClickDays, int attributionOpenDays, Optional<String> fromName,
                                Optional<String> replyTo, Optional<String> fromAddress,
                                Optional<String> postalAddress) {
    public static final int MIN_ATTRIBUTION_DAYS = 1;
    public static final int MAX_ATTRIBUTION_DAYS = 30;

    public ShopEmailSettings {
        requireNonNull(timezone, "timezone is null");
        requireNonNull(quietStart, "quietStart is null");
        requireNonNull(quietEnd, "quietEnd is null");
        requireNonNull(fromName, "fromName is null");
        requireNonNull(replyTo, "replyTo is null");
        requireNonNull(fromAddress, "fromAddress is null");
        requireNonNull(postalAddress, "postalAddress is null");
    }
}
