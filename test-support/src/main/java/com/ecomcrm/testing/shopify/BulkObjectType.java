package com.ecomcrm.testing.shopify;

import java.util.Locale;
import java.util.Optional;

/** The two bulk queries of the app's initial import, and the file each result is written to. */
public enum BulkObjectType {
    CUSTOMERS("customers"),
    ORDERS("orders");

    private final String rootField;

    BulkObjectType(String rootField) {
        this.rootField = rootField;
    }

    /** The root connection of the bulk query: {@code customers} or {@code orders}. */
    public String rootField() {
        return rootField;
    }

    public String fileName() {
        return rootField + ".jsonl";
    }

    public static Optional<BulkObjectType> fromRootField(String field) {
        for (BulkObjectType type : values()) {
            if (type.rootField.equals(field.toLowerCase(Locale.ROOT))) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
