package com.ecomcrm.email.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShopSenderTest {
    private static final String APP = "no-reply@mail.ecomcrm.local";

    @Test
    void theMerchantsOwnAddressIsUsedOnceItsDomainIsVerified() {
        ShopSender shop = new ShopSender("Acme Linen", Optional.of("hello@acme.example"), Optional.of("Acme.Example"),
                Optional.empty(), Optional.of("owner@gmail.example"));

        ShopSender.Sender sender = shop.sender(APP);

        assertThat(sender.address()).isEqualTo("hello@acme.example");
        assertThat(sender.name()).isEqualTo("Acme Linen");
        assertThat(sender.domain()).isEqualTo("acme.example");
        // Replies go to the From address itself: it is the merchant's.
        assertThat(sender.replyTo()).isEmpty();
    }

    @Test
    void aReplyToSetInSettingsStillWinsWithTheOwnAddress() {
        ShopSender shop = new ShopSender("Acme", Optional.of("hello@acme.example"), Optional.of("acme.example"),
                Optional.of("support@acme.example"), Optional.of("owner@gmail.example"));

        assertThat(shop.sender(APP).replyTo()).contains("support@acme.example");
    }

    @Test
    void beforeVerificationMailGoesFromTheAppInTheShopsNameWithRepliesToTheMerchant() {
        ShopSender unverified = new ShopSender("Acme", Optional.of("hello@acme.example"), Optional.empty(),
                Optional.empty(), Optional.of("owner@gmail.example"));

        ShopSender.Sender sender = unverified.sender(APP);

        assertThat(sender.address()).isEqualTo(APP);
        assertThat(sender.name()).isEqualTo("Acme");
        assertThat(sender.replyTo()).contains("owner@gmail.example");
    }

    @Test
    void anAddressAtADomainThatIsNoLongerTheVerifiedOneFallsBackToTheAppsSender() {
        ShopSender moved = new ShopSender("Acme", Optional.of("hello@old-brand.example"),
                Optional.of("new-brand.example"), Optional.of("support@new-brand.example"), Optional.empty());

        ShopSender.Sender sender = moved.sender(APP);

        assertThat(sender.address()).isEqualTo(APP);
        assertThat(sender.replyTo()).contains("support@new-brand.example");
    }

    @Test
    void withNoAddressAtAllRepliesGoNowhereButTheAppSenderStillCarriesTheShopsName() {
        ShopSender bare = new ShopSender("acme", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());

        assertThat(bare.sender(APP)).isEqualTo(new ShopSender.Sender(APP, "acme", Optional.empty()));
    }
}
