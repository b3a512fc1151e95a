package com.ecomcrm.api.auth;

import com.ecomcrm.domain.ShopId;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Who a verified session token speaks for: the shop (the tenant key) and, when present, the staff user. */
public record SessionIdentity(ShopId shop, Optional<String> userId) {
    public SessionIdentity {
        requireNonNull(shop, "shop is null");
        requireNonNull(userId, "userId is null");
    }
}
