package com.ecomcrm.email.mail;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * What a shop has set about who its emails come from, and the one rule that turns it into a {@link Sender}: the send
 * job and the API's test sends both apply it, so a test looks like the real email.
 *
 * <ul>
 *   <li>{@code name}: the display name, the shop's sender name or else its name (never empty);</li>
 *   <li>{@code ownAddress}: the merchant's From address ({@code hello@brand.com}), set in Settings;</li>
 *   <li>{@code verifiedDomain}: the shop's sender domain if it is verified right now;</li>
 *   <li>{@code replyTo}: the reply-to address set in Settings; {@code merchantEmail}: the shop's own address on file
 *       (Shopify's {@code shop.email}).</li>
 * </ul>
 */
public record ShopSender(String name, Optional<String> ownAddress, Optional<String> verifiedDomain,
                         Optional<String> replyTo, Optional<String> merchantEmail) {
    public ShopSender {
        requireNonNull(name, "name is null");
        requireNonNull(ownAddress, "ownAddress is null");
        requireNonNull(verifiedDomain, "verifiedDomain is null");
        requireNonNull(replyTo, "replyTo is null");
        requireNonNull(merchantEmail, "merchantEmail is null");
    }

    /** Who an email is from: the From address and name, and where replies go (none: to the From address). */
    public record Sender(String address, String name, Optional<String> replyTo) {
        public Sender {
            requireNonNull(address, "address is null");
            requireNonNull(name, "name is null");
            requireNonNull(replyTo, "replyTo is null");
        }

        /** The domain of the From address, lower case: the DKIM {@code d=} when it is a verified sender domain. */
        public String domain() {
            return domainOf(address);
        }
    }

    /**
     * The merchant's own address while it is at the shop's verified sender domain (replies go to the reply-to address
     * if one is set, else to that address itself); otherwise the app's {@code appAddress} in the shop's name, with
     * replies to the reply-to address or, failing that, to the merchant, so a customer's answer never lands in the
     * app's mailbox. A domain that stops being verified (DNS records removed, another domain set up) falls back at
     * once: mail from an unverified domain would fail DMARC.
     */
    public Sender sender(String appAddress) {
        requireNonNull(appAddress, "appAddress is null");
        if (ownAddress.isPresent() && verifiedDomain.isPresent()
                && domainOf(ownAddress.get()).equals(verifiedDomain.get().toLowerCase(Locale.ROOT))) {
            return new Sender(ownAddress.get(), name, replyTo);
        }
        return new Sender(appAddress, name, replyTo.or(() -> merchantEmail));
    }

    /** The part after the last {@code @}, lower case; empty when there is none. */
    public static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).strip().toLowerCase(Locale.ROOT);
    }
}
