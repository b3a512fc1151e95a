package com.ecomcrm.api.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.ecomcrm.domain.DomainException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verifier remembers tokens it verified, and that memory never accepts what a full verification would refuse: an
 * expired token, a token before its nbf, or any other text (a changed signature, payload or audience).
 */
class SessionTokenMemoryTest {
    private static final String CLIENT_ID = "memory-client-id";
    private static final String SECRET = "memory-client-secret";
    private static final long NBF = 1_800_000_000L;
    private static final long EXP = NBF + 60;

    private final MovableClock clock = new MovableClock(NBF + 5);
    private final SessionTokenVerifier verifier = new SessionTokenVerifier(CLIENT_ID, SECRET, clock);

    @Test
    void aRememberedTokenIsAcceptedAgainWithinItsMinute() {
        String token = token("shop-a", SECRET, CLIENT_ID);
        assertThat(verifier.verify(token).shop().domain()).isEqualTo("shop-a.myshopify.com");
        clock.at(EXP - 1);
        assertThat(verifier.verify(token).shop().domain()).isEqualTo("shop-a.myshopify.com");
    }

    @Test
    void aRememberedTokenStillExpires() {
        String token = token("shop-a", SECRET, CLIENT_ID);
        verifier.verify(token);
        clock.at(EXP + SessionTokenVerifier.LEEWAY_SECONDS + 1);
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(DomainException.class)
                .hasMessage("Cannot accept session token: it has expired");
        // Inside the leeway it is verified in full again, and accepted as before.
        clock.at(EXP + 5);
        assertThat(verifier.verify(token).shop().domain()).isEqualTo("shop-a.myshopify.com");
    }

    @Test
    void noOtherTextMatchesARememberedToken() {
        String token = token("shop-a", SECRET, CLIENT_ID);
        verifier.verify(token);
        String[] parts = token.split("\\.");
        String forgedSignature = parts[0] + "." + parts[1] + "." + flip(parts[2]);
        String otherShopSameSignature = parts[0] + "." + token("shop-b", SECRET, CLIENT_ID).split("\\.")[1] + "."
                + parts[2];

        assertThatThrownBy(() -> verifier.verify(forgedSignature)).isInstanceOf(DomainException.class)
                .hasMessageStartingWith("Cannot accept session token:");
        assertThatThrownBy(() -> verifier.verify(otherShopSameSignature)).isInstanceOf(DomainException.class)
                .hasMessage("Cannot accept session token: its signature does not verify");
        assertThatThrownBy(() -> verifier.verify(token("shop-a", "another-secret", CLIENT_ID)))
                .hasMessage("Cannot accept session token: its signature does not verify");
        assertThatThrownBy(() -> verifier.verify(token("shop-a", SECRET, "another-app")))
                .hasMessage("Cannot accept session token: it was issued for another app");
    }

    private static String flip(String signature) {
        char last = signature.charAt(signature.length() - 2);
        return signature.substring(0, signature.length() - 2) + (last == 'A' ? 'B' : 'A')
                + signature.charAt(signature.length() - 1);
    }

    private static String token(String shop, String secret, String audience) {
        return JWT.create()
                .withIssuer("https://" + shop + ".myshopify.com/admin")
                .withClaim("dest", "https://" + shop + ".myshopify.com")
                .withAudience(audience)
                .withSubject("42")
                .withNotBefore(Instant.ofEpochSecond(NBF))
                .withExpiresAt(Instant.ofEpochSecond(EXP))
                .sign(Algorithm.HMAC256(secret));
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(long epochSecond) {
            this.now = Instant.ofEpochSecond(epochSecond);
        }

        void at(long epochSecond) {
            now = Instant.ofEpochSecond(epochSecond);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
