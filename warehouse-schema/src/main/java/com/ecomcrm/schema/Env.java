package com.ecomcrm.schema;

import java.util.Map;

/** Reads a setting from an environment map, with the documented default when unset or blank. */
final class Env {
    private Env() {
    }

    static String get(Map<String, String> env, String name, String defaultValue) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }
}
