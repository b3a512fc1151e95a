package com.ecomcrm.landing;

import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The landed line's body is escaped by {@link JsonLineBytes} rather than by Jackson, for speed; the bytes must stay
 * exactly the ones Jackson writes (the String form, in UTF-8), so nothing downstream can tell.
 */
class JsonLineBytesTest {
    private static final ShopId SHOP = ShopId.of("bytes.myshopify.com");
    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    @DisplayName("every character outside the surrogates is landed as Jackson writes it")
    void everyBmpCharacterMatchesJackson() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0xD800; c++) {
            all.append(c);
        }
        for (int c = 0xE000; c <= 0xFFFF; c++) {
            all.append((char) c);
        }
        assertSameAsJackson(all.toString());
    }

    @Test
    @DisplayName("random JSON-like bodies, long enough to grow the buffer many times, match Jackson")
    void randomBodiesMatchJackson() {
        SplittableRandom random = new SplittableRandom(20261130L);
        String alphabet = "{}[]\":,\\/abcXYZ019 \n\t\r\b\f\u0000\u0001\u001f\u007fé£ñ東京\u2028\u2029\uFFFD\uFFFF";
        for (int round = 0; round < 200; round++) {
            int size = random.nextInt(0, 20_000);
            StringBuilder body = new StringBuilder(size);
            for (int i = 0; i < size; i++) {
                body.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertSameAsJackson(body.toString());
        }
    }

    @Test
    @DisplayName("a body with emoji or a lone surrogate is still landed as Jackson writes it")
    void surrogatesFallBackToJackson() {
        assertSameAsJackson("{\"note\":\"thanks 😀 \\\"x\\\"\"}");
        JsonLineBytes line = new JsonLineBytes(4);
        line.append((byte) 'x');
        assertThat(line.appendQuoted("ab\uD83D")).isFalse();
        assertThat(line.toByteArray()).as("nothing of the refused text is kept").containsExactly('x');
    }

    private static void assertSameAsJackson(String body) {
        LandingEnvelope envelope = LandingEnvelope.webhook(SHOP, "orders/create", "wh-1", NOW, Optional.of(NOW),
                Optional.of("2026-07"), body);
        assertThat(envelope.toJsonLineBytes())
                .isEqualTo((envelope.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8));
        LandingEnvelope bulk = LandingEnvelope.bulkLine(SHOP, "bulk/orders", "gid://shopify/BulkOperation/1", NOW, 7,
                body);
        assertThat(bulk.toJsonLineBytes()).isEqualTo((bulk.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
