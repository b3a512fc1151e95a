package com.ecomcrm.pipelines;

import com.ecomcrm.pipelines.email.AttributionWindows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Each shop's attribution windows from PostgreSQL {@code shop_email_settings} ({@code attribution_click_days},
 * {@code attribution_open_days}, added by migration V9). A shop without a row, or a database from before V9, gets
 * {@link AttributionWindows#DEFAULT}: the columns are looked up first, so this stage never depends on V9 being there.
 */
final class ShopAttributionWindows {
    private static final String HAS_COLUMNS = """
            SELECT count(*) FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'shop_email_settings'
              AND column_name IN ('attribution_click_days', 'attribution_open_days')""";
    private static final String WINDOWS = """
            SELECT shop_domain, attribution_click_days, attribution_open_days FROM shop_email_settings""";

    private final Map<String, AttributionWindows> byShop;

    private ShopAttributionWindows(Map<String, AttributionWindows> byShop) {
        this.byShop = Map.copyOf(byShop);
    }

    static ShopAttributionWindows read(PipelineSettings settings) {
        requireNonNull(settings, "settings is null");
        Map<String, AttributionWindows> byShop = new HashMap<>();
        try (Connection c = DriverManager.getConnection(settings.pgUrl(), settings.pgUser(), settings.pgPassword())) {
            try (PreparedStatement s = c.prepareStatement(HAS_COLUMNS); ResultSet r = s.executeQuery()) {
                r.next();
                if (r.getInt(1) < 2) {
                    return new ShopAttributionWindows(byShop);
                }
            }
            try (PreparedStatement s = c.prepareStatement(WINDOWS); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    int click = r.getInt(2);
                    boolean clickNull = r.wasNull();
                    int open = r.getInt(3);
                    boolean openNull = r.wasNull();
                    byShop.put(r.getString(1), new AttributionWindows(
                            clickNull ? AttributionWindows.DEFAULT.clickDays() : click,
                            openNull ? AttributionWindows.DEFAULT.openDays() : open));
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot read the shops' attribution windows from PostgreSQL: "
                    + e.getMessage(), e);
        }
        return new ShopAttributionWindows(byShop);
    }

    AttributionWindows of(String shop) {
        return byShop.getOrDefault(shop, AttributionWindows.DEFAULT);
    }
}
