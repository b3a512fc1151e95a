package com.ecomcrm.api.sync;

import com.ecomcrm.domain.ShopId;

/** What the install handlers call once the app holds a shop's offline token: the shop's data should start arriving. */
@FunctionalInterface
public interface SyncTrigger {
    /** Imports are started by hand ({@code ECOMCRM_INITIAL_SYNC=manual}). */
    SyncTrigger MANUAL = (shop, accessToken) -> {
    };

    /** Called after install, token exchange or a visit; must return at once (the import runs in the background). */
    void tokenAvailable(ShopId shop, String accessToken);

    static SyncTrigger automatic(InitialSync sync) {
        return (shop, accessToken) -> sync.begin(shop, accessToken);
    }
}
