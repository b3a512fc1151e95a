package com.ecomcrm.landing;

import java.util.Locale;

/** Where a landed record came from. The name is also the {@code source=} folder of the layout. */
public enum LandingSource {
    /** A webhook delivery, one envelope per delivery. */
    WEBHOOK,
    /** One line of a bulk operation's JSONL result, one envelope per line. */
    BULK;

    public String folderValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LandingSource fromFolderValue(String value) {
        return LandingSource.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
