package com.ecomcrm.api.auth;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Shopify's shared test vector (reference section 10.3) and the outcomes it specifies. */
class SessionTokenVerifierTest {
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RlbW8tc3RvcmUubXlzaG9waWZ5LmNvbS9hZG1pbiIsImRlc3QiOiJodHRwczovL2RlbW8tc3RvcmUubXlzaG9waWZ5LmNvbSIsImF1ZCI6InRlc3QtY2xpZW50LWlkIiwic3ViIjoiNDIiLCJleHAiOjE3MDAwMDAwNjAsIm5iZiI6MTcwMDAwMDAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiJmODkxMjEyOS0xYWY2LTRjYWQtOWNhMy03NmIwZjc2MjEwODciLCJzaWQiOiJhYWVhMTgyZjI3MzJkNDRjMjMwNTdjMGZlYTU4NDAyMWE0NDg1YjJiZDI1ZDNlYjdmZDM0OTMxM2FkMjRjNjg1In0.DA9geqkCxPmbeOFlBosv1dsfPsFnkQT1vQ-oZWdaR8c";

    @Test
    void aValidTokenNamesItsShopAndUser() {
        SessionIdentity identity = verifierAt(1700000030).verify(TOKEN);
        assertThat(identity.shop()).isEqualTo(ShopId.of("demo-store.myshopify.com"));
        assertThat(identity.userId()).contains("42");
    }

    @Test
    void tenSecondsOfClockSkewAreTolerated() {
        assertThat(verifierAt(1700000065).verify(TOKEN).shop().domain()).isEqualTo("demo-store.myshopify.com");
    }

    @Test
    void anExpiredTokenIsRefused() {
        assertRefused(verifierAt(1700000075), TOKEN, "Cannot accept session token: it has expired");
    }

    @Test
    void aTokenUsedBeforeItsNotBeforeIsRefused() {
        assertRefused(verifierAt(1699999980), TOKEN, "Cannot accept session token: it is not valid yet");
    }

    @Test
    void aTokenForAnotherAppIsRefused() {
        SessionTokenVerifier otherApp = new SessionTokenVerifier("other-client-id", "test-client-secret", clockAt(1700000030));
        assertRefused(otherApp, TOKEN, "Cannot accept session token: it was issued for another app");
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() {
        SessionTokenVerifier otherSecret = new SessionTokenVerifier("test-client-id", "other-secret", clockAt(1700000030));
        assertRefused(otherSecret, TOKEN, "Cannot accept session token: its signature does not verify");
    }

    @Test
    void anUnsignedTokenIsRefused() {
        String[] parts = TOKEN.split("\\.");
        String none = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        assertRefused(verifierAt(1700000030), none + "." + parts[1] + ".", "Cannot accept session token: it is not signed with HS256");
    }

    @Test
    void garbageIsRefused() {
        assertRefused(verifierAt(1700000030), "not.a.jwt", "Cannot accept session token: it is malformed");
        assertRefused(verifierAt(1700000030), "", "Cannot accept session token: no session token");
    }

    private static void assertRefused(SessionTokenVerifier verifier, String token, String message) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(DomainException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
    }

    private static SessionTokenVerifier verifierAt(long epochSecond) {
        return new SessionTokenVerifier("test-client-id", "test-client-secret", clockAt(epochSecond));
    }

    private static Clock clockAt(long epochSecond) {
        return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }
}
