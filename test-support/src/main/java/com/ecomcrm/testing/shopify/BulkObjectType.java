package com.ecomcrm.testing.shopify;

import java.util.Optional;

/** The bulk queries of the app's initial import, and the file each result is written to. */
public enum BulkObjectType {
    CUSTOMERS("customers"),
    ORDERS("orders"),
    ABANDONED_CHECKOUTS("abandonedCheckouts");

    private final String rootField;

    BulkObjectType(String rootField) {
        this.rootField = rootField;
    }

    /** The root connection of the bulk query: {@code customers}, {@code orders} or {@code abandonedCheckouts}. */
    public String rootField() {
        return rootField;
    }

    public String fileName() {
        return rootField + ".jsonl";
    }

    public static Optional<BulkObjectType> fromRootField(String field) {
        for (BulkObjectType type : values()) {
            if (type.rootField.equalsIgnoreCase(field)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
