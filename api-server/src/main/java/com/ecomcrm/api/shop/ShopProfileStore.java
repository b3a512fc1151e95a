package com.ecomcrm.api.shop;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Reads a shop's {@link ShopProfile} from PostgreSQL {@code shops} (name and currency: migration V12; time zone: V1). */
public final class ShopProfileStore {
    private final Pool postgres;

    public ShopProfileStore(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /** The shop's profile; a shop without a {@code shops} row yet has neither name nor currency. */
    public Future<ShopProfile> get(ShopId shop) {
        return postgres.preparedQuery("SELECT name, currency, timezone FROM shops WHERE shop_domain = $1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        return new ShopProfile(shop, Optional.empty(), Optional.empty(), Optional.empty());
                    }
                    Row row = it.next();
                    return new ShopProfile(shop, Optional.ofNullable(row.getString("name")),
                            Optional.ofNullable(row.getString("currency")),
                            ShopProfile.zone(row.getString("timezone")));
                });
    }
}
