package com.ecomcrm.api.install;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The query-string HMAC of shopify-platform.md 1.3.2, against the shared test vectors of section 10.1. */
class QueryHmacTest {
    private static final String Q4_URL = "code=a1b2c3d4e5f6&hmac=8cf16518a3342d0c2dac8262acf38ec940f9f309f5fbf01dd2236158"
            + "f0849868&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtby1zdG9yZQ&shop=demo-store.myshopify.com"
            + "&state=n0nce-123&timestamp=1700000000";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Q1|hush|code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173|700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf",
            "Q2|hush|code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173|4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20",
            "Q3|test-client-secret|embedded=1&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtby1zdG9yZQ&shop=demo-store.myshopify.com&timestamp=1700000000|dbc83f74389651c044330fe9cb21f571b04ba8bff3fe954f30bbac88ca511769",
            "Q4|test-client-secret|code=a1b2c3d4e5f6&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtby1zdG9yZQ&shop=demo-store.myshopify.com&state=n0nce-123&timestamp=1700000000|8cf16518a3342d0c2dac8262acf38ec940f9f309f5fbf01dd2236158f0849868"})
    void theSharedVectorsSignAndVerify(String vector, String secret, String message, String expected) {
        assertThat(QueryHmac.sign(secret, message)).isEqualTo(expected);
        // The same parameters in another order, with the hmac among them, verify: sorting happens on our side.
        String shuffled = "hmac=" + expected + "&" + String.join("&", reversed(message.split("&")));
        assertThat(SignedQuery.parse(shuffled).message()).isEqualTo(message);
        assertThat(new QueryHmac(List.of(secret)).verifies(SignedQuery.parse(shuffled))).isTrue();
    }

    @Test
    void theQ4CallbackVerifiesWithTheClockAtItsTimestampAndNamesTheShop() {
        SignedRequestCheck check = check(Instant.ofEpochSecond(1_700_000_030));

        assertThat(check.check(SignedQuery.parse(Q4_URL), "finish install").domain())
                .isEqualTo("demo-store.myshopify.com");
    }

    @Test
    void aTamperedShopIsRefusedAsUnauthenticated() {
        String tampered = Q4_URL.replace("shop=demo-store", "shop=evil-store");

        assertThatThrownBy(() -> check(Instant.ofEpochSecond(1_700_000_000)).check(SignedQuery.parse(tampered), "x"))
                .isInstanceOfSatisfying(ParameterException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
                    assertThat(e.parameter()).isEqualTo("hmac");
                });
    }

    @Test
    void anUpperCasedHmacIsRefusedBecauseShopifySendsLowercase() {
        String upper = Q4_URL.replace("8cf16518a3342d0c2dac8262acf38ec940f9f309f5fbf01dd2236158f0849868",
                "8CF16518A3342D0C2DAC8262ACF38EC940F9F309F5FBF01DD2236158F0849868");

        assertThat(new QueryHmac(List.of("test-client-secret")).verifies(SignedQuery.parse(upper))).isFalse();
    }

    @Test
    void duringASecretRotationTheOldSecretStillVerifies() {
        assertThat(new QueryHmac(List.of("new-secret", "test-client-secret")).verifies(SignedQuery.parse(Q4_URL)))
                .isTrue();
        assertThat(new QueryHmac(List.of("other-secret")).verifies(SignedQuery.parse(Q4_URL))).isFalse();
    }

    @Test
    void aTimestampOutsideTheWindowIsRefusedNamingIt() {
        // With the real clock every vector is far too old (section 10.1).
        assertThatThrownBy(() -> check(Instant.ofEpochSecond(1_700_000_091)).check(SignedQuery.parse(Q4_URL), "x"))
                .isInstanceOfSatisfying(ParameterException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
                    assertThat(e.parameter()).isEqualTo("timestamp");
                });
        assertThatThrownBy(() -> check(Instant.ofEpochSecond(1_699_999_909)).check(SignedQuery.parse(Q4_URL), "x"))
                .hasMessageContaining("timestamp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo-store.myshopify.com.evil.com", "-bad.myshopify.com", "demo-store.shopify.com",
            "https%3A%2F%2Fdemo-store.myshopify.com", ""})
    void aShopThatIsNotAMyshopifyHostIsRefusedBeforeTheHmac(String shop) {
        String query = Q4_URL.replace("shop=demo-store.myshopify.com", "shop=" + shop);

        assertThatThrownBy(() -> check(Instant.ofEpochSecond(1_700_000_000)).check(SignedQuery.parse(query), "x"))
                .isInstanceOfSatisfying(ParameterException.class, e -> assertThat(e.parameter()).isEqualTo("shop"));
    }

    @Test
    void aMissingHmacIsNamed() {
        String query = Q4_URL.replaceAll("hmac=[0-9a-f]+&", "");

        assertThatThrownBy(() -> check(Instant.ofEpochSecond(1_700_000_000)).check(SignedQuery.parse(query), "x"))
                .isInstanceOfSatisfying(ParameterException.class, e -> assertThat(e.parameter()).isEqualTo("hmac"));
    }

    @Test
    void theAppHomeIsTheDecodedAdminHostAndOnlyAShopifyAdminIsAccepted() {
        var shop = com.ecomcrm.domain.ShopId.of("demo-store.myshopify.com");

        assertThat(AppHome.url(shop, java.util.Optional.of("YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtby1zdG9yZQ"), "cid"))
                .isEqualTo("https://admin.shopify.com/store/demo-store/apps/cid/");
        String evil = java.util.Base64.getEncoder().withoutPadding().encodeToString("evil.example/x".getBytes());
        assertThatThrownBy(() -> AppHome.url(shop, java.util.Optional.of(evil), "cid"))
                .isInstanceOfSatisfying(ParameterException.class, e -> assertThat(e.parameter()).isEqualTo("host"));
    }

    private static SignedRequestCheck check(Instant now) {
        return new SignedRequestCheck(new QueryHmac(List.of("test-client-secret")), Clock.fixed(now, ZoneOffset.UTC),
                Duration.ofSeconds(90));
    }

    private static List<String> reversed(String[] parts) {
        List<String> list = new java.util.ArrayList<>(List.of(parts));
        java.util.Collections.reverse(list);
        return list;
    }
}
