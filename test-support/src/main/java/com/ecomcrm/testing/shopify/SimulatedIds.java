package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;

import java.nio.ByteBuffer;

import static java.util.Objects.requireNonNull;

/**
 * The ids of one simulated shop. Real Shopify ids are unique across all shops (a customer id names one customer of one
 * shop), so a simulated shop must never hand out an id another simulated shop uses: otherwise a tenant-isolation test
 * could pass only because two shops' rows happen to carry the same id. Each shop gets a block of
 * {@value #IDS_PER_SHOP} ids per resource type, chosen by SHA-256 of (seed, shop domain): the same seed and shop give
 * the same ids on every machine, and two shops collide only if their blocks do (one chance in
 * {@value #BLOCKS} per pair; {@link #block()} lets a test prove the shops it uses apart).
 *
 * <p>Every resource type has a range of its own ({@value #TYPE_RANGE} wide), so ids of different types never meet
 * either, and all ids stay below 2^53: a dashboard in JavaScript reads them as exact numbers. Inside a block, ids
 * follow creation order, as Shopify's do.
 */
public record SimulatedIds(long block) {
    /** Ids of one resource type in one shop: far more than any simulated shop creates (the largest has ~300k lines). */
    public static final long IDS_PER_SHOP = 10_000_000L;
    /** Blocks per resource type. */
    public static final long BLOCKS = 100_000_000L;
    /** The width of one resource type's range: every shop's block of it. */
    public static final long TYPE_RANGE = IDS_PER_SHOP * BLOCKS;

    /** Resource types, each with its own range of ids ({@code (ordinal + 1) * TYPE_RANGE} onwards). */
    public enum Resource {
        REFUND, ORDER, CUSTOMER, LINE_ITEM, REFUND_LINE_ITEM, CHECKOUT, PRODUCT, PRODUCT_VARIANT;

        long base() {
            return (ordinal() + 1) * TYPE_RANGE;
        }
    }

    public SimulatedIds {
        if (block < 0 || block >= BLOCKS) {
            throw new IllegalArgumentException("Cannot use id block " + block + ": it must be in [0, " + BLOCKS + ")");
        }
    }

    /** The shop's block, from SHA-256 of the seed and the shop's domain. */
    public static SimulatedIds of(long seed, ShopId shop) {
        requireNonNull(shop, "shop is null");
        byte[] digest = StoreGenerator.sha256("ecomcrm-simulator|ids|" + seed + "|" + shop.domain());
        return new SimulatedIds(Math.floorMod(ByteBuffer.wrap(digest).getLong(), BLOCKS));
    }

    /**
     * The id of the {@code number}th (1-based, in creation order) resource of a type in this shop.
     *
     * @throws IllegalArgumentException when the shop has more of that type than a block holds
     */
    public long id(Resource resource, long number) {
        requireNonNull(resource, "resource is null");
        if (number < 1 || number >= IDS_PER_SHOP) {
            throw new IllegalArgumentException("Cannot number " + resource + " " + number + ": a simulated shop holds 1 to "
                    + (IDS_PER_SHOP - 1) + " of each type");
        }
        return resource.base() + block * IDS_PER_SHOP + number;
    }

    /** The refund line item that gives back (part of) a line item: the same number in its own range. */
    public long refundLineOf(long lineItemId) {
        long number = lineItemId - Resource.LINE_ITEM.base() - block * IDS_PER_SHOP;
        return id(Resource.REFUND_LINE_ITEM, number);
    }
}
