package com.ecomcrm.api.tokens;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What Shopify's token endpoint answered (shopify-platform.md 1.3.5): an access token, the granted scopes and, for an
 * expiring offline token, its lifetime and the refresh token with its own lifetime. Holds plaintext tokens: it lives
 * only between the HTTP answer and {@link ShopTokens}, which encrypts it.
 */
public record TokenGrant(String accessToken, List<String> scopes, Optional<Duration> expiresIn,
                         Optional<String> refreshToken, Optional<Duration> refreshTokenExpiresIn) {
    public TokenGrant {
        requireNonNull(accessToken, "accessToken is null");
        scopes = List.copyOf(scopes);
        requireNonNull(expiresIn, "expiresIn is null");
        requireNonNull(refreshToken, "refreshToken is null");
        requireNonNull(refreshTokenExpiresIn, "refreshTokenExpiresIn is null");
    }

    public static TokenGrant fromJson(JsonNode body) {
        String accessToken = body.path("access_token").asText("");
        if (accessToken.isEmpty()) {
            throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot read Shopify's token answer: access_token is missing");
        }
        return new TokenGrant(accessToken,
                Arrays.stream(body.path("scope").asText("").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .toList(),
                seconds(body, "expires_in"),
                Optional.ofNullable(body.path("refresh_token").textValue()).filter(s -> !s.isEmpty()),
                seconds(body, "refresh_token_expires_in"));
    }

    public TokenKind kind() {
        return expiresIn.isPresent() && refreshToken.isPresent() ? TokenKind.EXPIRING_OFFLINE : TokenKind.OFFLINE;
    }

    /** Never prints the tokens. */
    @Override
    public String toString() {
        return "TokenGrant[kind=" + kind() + ", scopes=" + scopes + ", expiresIn=" + expiresIn + "]";
    }

    private static Optional<Duration> seconds(JsonNode body, String field) {
        JsonNode value = body.path(field);
        return value.canConvertToLong() ? Optional.of(Duration.ofSeconds(value.asLong())) : Optional.empty();
    }
}
