package com.ecomcrm.tracking;

import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrackingLinksTest {
    private static final ShopId SHOP = ShopId.of("links-shop.myshopify.com");
    private final TrackingLinks links = new TrackingLinks(TrackingLinks.DEV_KEY, "https://crm.example.com/");

    @Test
    void aSignedClickVerifiesToItsShopSendAndExactUrl() {
        String url = links.clickUrl(SHOP, 42, "https://shop.example/p?a=1&b=2#top");
        assertThat(url).startsWith("https://crm.example.com/t/c/");
        TrackingLinks.Token token = links.verify(url.substring(url.lastIndexOf('/') + 1)).orElseThrow();
        assertThat(token).isEqualTo(new TrackingLinks.Token(TrackingLinks.Kind.CLICK, SHOP, 42,
                "https://shop.example/p?a=1&b=2#top"));
        assertThat(links.usesDevelopmentKey()).isTrue();
    }

    @Test
    void everyAlterationIsRefused() {
        String url = links.clickUrl(SHOP, 42, "https://shop.example/");
        String token = url.substring(url.lastIndexOf('/') + 1);
        int dot = token.indexOf('.');
        assertThat(links.verify(token.substring(0, dot))).isEmpty();
        assertThat(links.verify(token + "x")).isEmpty();
        assertThat(links.verify((token.charAt(0) == 'A' ? 'B' : 'A') + token.substring(1))).isEmpty();
        assertThat(links.verify("")).isEmpty();
        assertThat(links.verify(null)).isEmpty();
        assertThat(new TrackingLinks("another-key-another-key-another-key-1234", "https://crm.example.com")
                .verify(token)).isEmpty();
    }
}
