package com.ecomcrm.api.shopify;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Reads the shop's own details from the Admin API ({@code shop { name email currencyCode ianaTimezone }}) and keeps
 * them on its {@code shops} row: the time zone that quiet hours are counted in, the contact email that test sends go
 * to by default, the name and currency the dashboard shows.
 */
public final class ShopDetailsSync {
    static final String QUERY = "{ shop { name email currencyCode ianaTimezone myshopifyDomain } }";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The shop as Shopify describes it. {@code timezone} is a valid IANA zone id or empty. */
    public record ShopDetails(String name, String email, String currency, Optional<String> timezone) {
        public ShopDetails {
            requireNonNull(timezone, "timezone is null");
        }
    }

    private final Supplier<Connection> postgres;

    public ShopDetailsSync(Supplier<Connection> postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    /** Fetches and stores the details; returns what was stored. */
    public ShopDetails refresh(ShopId shop, AdminApiClient shopify) {
        JsonNode node = shopify.graphql(QUERY, JSON.createObjectNode()).path("shop");
        if (!node.path("myshopifyDomain").asText("").equalsIgnoreCase(shop.domain())) {
            // Never store another shop's details on this row, whatever answered.
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot read the details of " + shop
                    + ": Shopify answered for '" + node.path("myshopifyDomain").asText("") + "'");
        }
        ShopDetails details = new ShopDetails(text(node, "name"), text(node, "email"), text(node, "currencyCode"),
                zone(text(node, "ianaTimezone")));
        try (Connection connection = postgres.get();
             PreparedStatement update = connection.prepareStatement("""
                     UPDATE shops SET name = ?, email = ?, currency = ?, timezone = COALESCE(?, timezone),
                                      updated_at = now()
                     WHERE shop_domain = ?""")) {
            update.setString(1, details.name());
            update.setString(2, details.email());
            update.setString(3, details.currency());
            update.setString(4, details.timezone().orElse(null));
            update.setString(5, shop.domain());
            update.executeUpdate();
        }
        catch (SQLException e) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot store the details of " + shop + ": "
                    + e.getMessage(), e);
        }
        return details;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** Shopify's ianaTimezone, kept only if Java knows the zone (the send job computes quiet hours with it). */
    private static Optional<String> zone(String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZoneId.of(id).getId());
        }
        catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
