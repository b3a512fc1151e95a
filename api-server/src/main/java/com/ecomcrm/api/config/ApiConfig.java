package com.ecomcrm.api.config;

import com.ecomcrm.email.secrets.SecretKeys;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The API server's settings, read once at start-up from the environment. A missing or malformed setting stops the
 * start with the variable at fault named; secrets come only from the environment and are never printed.
 *
 * @param previousClientSecret during a client-secret rotation, the old secret, still accepted for webhooks
 * @param shopify              Shopify's endpoints, the scopes, the app's public URL
 * @param tokenKeys            {@code ECOMCRM_TOKEN_KEYS}, required: the keys that encrypt Shopify tokens at rest
 */
public record ApiConfig(
        String host,
        int port,
        String clientId,
        String clientSecret,
        Optional<String> previousClientSecret,
        PostgresSettings postgres,
        Path landingDirectory,
        ShopifySettings shopify,
        SecretKeys tokenKeys,
        InitialSyncMode initialSync) {

    /**
     * {@code ECOMCRM_INITIAL_SYNC}: {@code automatic} (the default) imports a shop as soon as it installs and resumes
     * unfinished imports at start-up; {@code manual} leaves imports to {@code BulkImportMain} (tests and benchmarks
     * that drive the import themselves).
     */
    public enum InitialSyncMode { AUTOMATIC, MANUAL }

    public ApiConfig {
        requireNonNull(host, "host is null");
        requireNonNull(clientId, "clientId is null");
        requireNonNull(clientSecret, "clientSecret is null");
        requireNonNull(previousClientSecret, "previousClientSecret is null");
        requireNonNull(postgres, "postgres is null");
        requireNonNull(landingDirectory, "landingDirectory is null");
        requireNonNull(shopify, "shopify is null");
        requireNonNull(tokenKeys, "tokenKeys is null");
        requireNonNull(initialSync, "initialSync is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_API_PORT: " + port + " is not a port");
        }
    }

    public List<String> webhookSecrets() {
        List<String> secrets = new ArrayList<>();
        secrets.add(clientSecret);
        previousClientSecret.ifPresent(secrets::add);
        return secrets;
    }

    public static ApiConfig fromEnvironment() {
        return from(System.getenv()::get);
    }

    public static ApiConfig from(Map<String, String> environment) {
        return from(environment::get);
    }

    static ApiConfig from(Function<String, String> env) {
        return new ApiConfig(
                orDefault(env, "ECOMCRM_API_HOST", "127.0.0.1"),
                parsePort(orDefault(env, "ECOMCRM_API_PORT", "58080")),
                required(env, "SHOPIFY_API_KEY"),
                required(env, "SHOPIFY_API_SECRET"),
                Optional.ofNullable(env.apply("SHOPIFY_API_SECRET_PREVIOUS")).filter(s -> !s.isBlank()),
                PostgresSettings.from(env),
                Path.of(orDefault(env, "ECOMCRM_LANDING_DIR", "var/landing")),
                ShopifySettings.from(env),
                // No default, not even for development: a default key would silently protect production tokens with
                // a key published in the repository.
                SecretKeys.parse(env.apply(SecretKeys.VARIABLE)),
                parseInitialSync(orDefault(env, "ECOMCRM_INITIAL_SYNC", "automatic")));
    }

    private static InitialSyncMode parseInitialSync(String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "automatic" -> InitialSyncMode.AUTOMATIC;
            case "manual" -> InitialSyncMode.MANUAL;
            default -> throw new IllegalArgumentException("Cannot use ECOMCRM_INITIAL_SYNC: '" + value
                    + "' is neither automatic nor manual");
        };
    }

    private static int parsePort(String value) {
        try {
            return Integer.parseInt(value.trim());
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot use ECOMCRM_API_PORT: '" + value + "' is not a number");
        }
    }

    static String required(Function<String, String> env, String name) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Cannot start: environment variable " + name + " is not set");
        }
        return value;
    }

    static String orDefault(Function<String, String> env, String name, String fallback) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
