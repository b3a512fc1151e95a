package com.ecomcrm.testing.shopify;

import java.math.BigDecimal;

import static java.util.Objects.requireNonNull;

/**
 * One line item of a simulated order. {@code unitPrice} has two decimals and {@code quantity * unitPrice} is the
 * line's share of the order total.
 */
public record SimulatedLine(long id, String gid, long productId, long variantId, String sku, String title,
                            int quantity, BigDecimal unitPrice) {
    public SimulatedLine {
        requireNonNull(gid, "gid is null");
        requireNonNull(sku, "sku is null");
        requireNonNull(title, "title is null");
        requireNonNull(unitPrice, "unitPrice is null");
        if (quantity < 1) {
            throw new IllegalArgumentException("Cannot make a line: quantity " + quantity + " is not positive");
        }
        if (unitPrice.scale() != 2) {
            throw new IllegalArgumentException("Cannot make a line: unit price " + unitPrice + " is not in cents");
        }
    }

    public String productGid() {
        return "gid://shopify/Product/" + productId;
    }

    public String variantGid() {
        return "gid://shopify/ProductVariant/" + variantId;
    }

    /** {@code quantity * unitPrice}, two decimals. */
    public BigDecimal lineTotal() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
