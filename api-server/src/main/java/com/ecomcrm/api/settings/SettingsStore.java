package com.ecomcrm.api.settings;

import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Reads and writes {@link ShopEmailSettings}. A shop without a {@code shop_email_settings} row gets the table's
 * column defaults (quiet hours 21:00-08:00 on, attribution 5 and 5 days); a shop without a time zone, UTC, as the
 * send job assumes.
 */
public final class SettingsStore {
    private final Pool postgres;

    public SettingsStore(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    public Future<ShopEmailSettings> get(ShopId shop) {
        return postgres.preparedQuery("SELECT (SELECT timezone FROM shops WHERE shop_domain = $1) AS timezone, "
                        + "coalesce(e.quiet_hours_enabled, true) AS quiet_on, "
                        + "coalesce(e.quiet_start, '21:00'::time) AS quiet_start, "
                        + "coalesce(e.quiet_end, '08:00'::time) AS quiet_end, "
                        + "coalesce(e.attribution_click_days, 5) AS click_days, "
                        + "coalesce(e.attribution_open_days, 5) AS open_days, e.from_name, e.reply_to, "
                        + "e.from_address, e.postal_address "
                        + "FROM (SELECT 1) one LEFT JOIN shop_email_settings e ON e.shop_domain = $1")
                .execute(Tuple.of(shop.domain()))
                .map(rows -> settings(rows.iterator().next()));
    }

    /** Writes every field; the time zone goes to {@code shops.timezone}, which the send job reads. */
    public Future<ShopEmailSettings> put(ShopId shop, ShopEmailSettings settings) {
        return postgres.withTransaction(conn -> conn
                        .preparedQuery("INSERT INTO shops (shop_domain, timezone) VALUES ($1, $2) "
                                + "ON CONFLICT (shop_domain) DO UPDATE SET timezone = EXCLUDED.timezone, "
                                + "updated_at = now()")
                        .execute(Tuple.of(shop.domain(), settings.timezone().getId()))
                        .compose(x -> conn.preparedQuery("INSERT INTO shop_email_settings (shop_domain, "
                                        + "quiet_hours_enabled, quiet_start, quiet_end, attribution_click_days, "
                                        + "attribution_open_days, from_name, reply_to, from_address, postal_address, "
                                        + "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) "
                                        + "ON CONFLICT (shop_domain) DO UPDATE SET "
                                        + "quiet_hours_enabled = EXCLUDED.quiet_hours_enabled, "
                                        + "quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, "
                                        + "attribution_click_days = EXCLUDED.attribution_click_days, "
                                        + "attribution_open_days = EXCLUDED.attribution_open_days, "
                                        + "from_name = EXCLUDED.from_name, reply_to = EXCLUDED.reply_to, "
                                        + "from_address = EXCLUDED.from_address, "
                                        + "postal_address = EXCLUDED.postal_address, "
                                        + "updated_at = now()")
                                .execute(Tuple.tuple(java.util.List.of(shop.domain(), settings.quietHoursEnabled(),
                                        settings.quietStart(), settings.quietEnd(), settings.attributionClickDays(),
                                        settings.attributionOpenDays())).addValue(settings.fromName().orElse(null))
                                        .addValue(settings.replyTo().orElse(null))
                                        .addValue(settings.fromAddress().orElse(null))
                                        .addValue(settings.postalAddress().orElse(null)))))
                .compose(x -> get(shop));
    }

    private static ShopEmailSettings settings(Row row) {
        return new ShopEmailSettings(zone(row.getString("timezone")), row.getBoolean("quiet_on"),
                row.getLocalTime("quiet_start"), row.getLocalTime("quiet_end"), row.getInteger("click_days"),
                row.getInteger("open_days"), Optional.ofNullable(row.getString("from_name")),
                Optional.ofNullable(row.getString("reply_to")), Optional.ofNullable(row.getString("from_address")),
                Optional.ofNullable(row.getString("postal_address")));
    }

    private static ZoneId zone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(timezone.strip());
        }
        catch (DateTimeException e) {
            return ZoneOffset.UTC; // what the send job does with a zone Java does not know
        }
    }

}
