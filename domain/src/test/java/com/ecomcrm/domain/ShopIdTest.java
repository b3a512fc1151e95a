package com.ecomcrm.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShopIdTest {
    @Test
    void aShopIsItsLowercaseMyshopifyHost() {
        ShopId shop = ShopId.of("Demo-Store.myshopify.com");
        assertThat(shop.domain()).isEqualTo("demo-store.myshopify.com");
        assertThat(shop.handle()).isEqualTo("demo-store");
        assertThat(shop).isEqualTo(ShopId.of("demo-store.myshopify.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo-store.myshopify.com.evil.com", "-bad.myshopify.com", "demo.example.com",
            "", "a b.myshopify.com", "x'.myshopify.com", "../etc.myshopify.com", "demo-store.myshopify.com\n"})
    void anythingElseIsRefused(String domain) {
        assertThatThrownBy(() -> ShopId.of(domain))
                .isInstanceOf(DomainException.class)
                .satisfies(e -> assertThat(((DomainException) e).code()).isEqualTo(ErrorCode.INVALID_SHOP))
                .hasMessageEndingWith("is not a *.myshopify.com host");
    }
}
