package com.ecomcrm.api.tokens;

import com.ecomcrm.domain.ShopId;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A shop's offline token as stored, decrypted for use.
 *
 * @param version   grows with every stored pair; a refresh stores its pair only if the version is still this one
 * @param installed false once app/uninstalled arrived: the tokens are dead even if not yet expired
 */
public record StoredTokens(ShopId shop, String accessToken, TokenKind kind, Optional<Instant> accessTokenExpiresAt,
                           Optional<String> refreshToken, Optional<Instant> refreshTokenExpiresAt, List<String> scopes,
                           long version, boolean installed) {
    public StoredTokens {
        requireNonNull(shop, "shop is null");
        requireNonNull(accessToken, "accessToken is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt is null");
        requireNonNull(refreshToken, "refreshToken is null");
        requireNonNull(refreshTokenExpiresAt, "refreshTokenExpiresAt is null");
        scopes = List.copyOf(scopes);
    }

    /** True if the access token lapses within {@code margin} of {@code now} (never for a non-expiring token). */
    public boolean expiresWithin(Duration margin, Instant now) {
        return accessTokenExpiresAt.map(at -> !now.plus(margin).isBefore(at)).orElse(false);
    }

    public boolean canRefresh(Instant now) {
        return refreshToken.isPresent() && refreshTokenExpiresAt.map(now::isBefore).orElse(true);
    }

    /** Never prints the tokens. */
    @Override
    public String toString() {
        return "StoredTokens[shop=" + shop + ", kind=" + kind + ", expiresAt=" + accessTokenExpiresAt + ", version="
                + version + ", installed=" + installed + "]";
    }
}
