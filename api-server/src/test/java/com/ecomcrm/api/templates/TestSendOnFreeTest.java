package com.ecomcrm.api.templates;

import com.ecomcrm.domain.ShopId;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The template editor's test send on the Free plan (issue #8): email flows are part of Free, so the test send works;
 * Free has no own sender domain, so it goes from the app's sender address in the shop's name, with replies to the
 * merchant, even when the shop once verified a domain of its own (on a higher plan, before a downgrade).
 */
class TestSendOnFreeTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String APP_FROM = "no-reply@mail.ecomcrm.local";

    @TempDir
    static Path landing;

    private static GreenMail smtp;
    private static EmailApiHarness api;

    @BeforeAll
    static void start() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        api = EmailApiHarness.start(landing, Map.of(
                "ECOMCRM_SMTP_HOST", "127.0.0.1",
                "ECOMCRM_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()),
                "ECOMCRM_SMTP_STARTTLS", "false",
                "ECOMCRM_MAIL_FROM", APP_FROM,
                "ECOMCRM_TEST_SENDS_PER_MINUTE", "5"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    void aFreeShopsTestSendArrivesFromTheAppsAddressInTheShopsName() throws Exception {
        ShopId shop = ShopId.of("free-send-" + RUN + ".myshopify.com");
        String owner = "owner-" + RUN + "@merchant.example";
        onFree(shop, owner, "Free Shop");
        long template = createTemplate(shop);
        int before = smtp.getReceivedMessages().length;

        var sent = api.call(shop, POST, "/api/templates/" + template + "/test-send", null);

        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        assertThat(sent.json().getString("to")).isEqualTo(owner);
        assertThat(smtp.waitForIncomingEmail(5_000, before + 1)).isTrue();
        MimeMessage message = received(owner);
        InternetAddress from = (InternetAddress) message.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo(APP_FROM);
        assertThat(from.getPersonal()).isEqualTo("Free Shop");
        assertThat(message.getSubject()).isEqualTo("[Test] Hello from Free");
        Row row = api.sql("SELECT status, is_test FROM sends WHERE shop_domain = $1 AND id = $2", shop.domain(),
                sent.json().getLong("sendId")).get(0);
        assertThat(row.getString("status")).isEqualTo("SENT");
        assertThat(row.getBoolean("is_test")).isTrue();
    }

    @Test
    void aFreeShopWithADomainVerifiedBeforeItsDowngradeStillSendsFromTheAppsAddress() throws Exception {
        ShopId shop = ShopId.of("free-domain-" + RUN + ".myshopify.com");
        String owner = "owner-domain-" + RUN + "@merchant.example";
        String domain = "brand-" + RUN + ".example";
        onFree(shop, owner, "Downgraded Shop");
        api.sql("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, verified_at)"
                + " VALUES ($1, $2, 'ecomcrm1', 'none', now())", shop.domain(), domain);
        api.sql("INSERT INTO shop_email_settings (shop_domain, from_address) VALUES ($1, $2)", shop.domain(),
                "hello@" + domain);
        long template = createTemplate(shop);
        int before = smtp.getReceivedMessages().length;

        var sent = api.call(shop, POST, "/api/templates/" + template + "/test-send", null);

        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        assertThat(smtp.waitForIncomingEmail(5_000, before + 1)).isTrue();
        MimeMessage message = received(owner);
        InternetAddress from = (InternetAddress) message.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo(APP_FROM);
        assertThat(from.getPersonal()).isEqualTo("Downgraded Shop");
        // Replies still reach the merchant.
        assertThat(message.getReplyTo()).isNotEmpty();
        assertThat(((InternetAddress) message.getReplyTo()[0]).getAddress()).isNotEqualTo(APP_FROM);
    }

    private static void onFree(ShopId shop, String email, String name) {
        api.sql("INSERT INTO shops (shop_domain, email, name, plan) VALUES ($1, $2, $3, 'free') "
                + "ON CONFLICT (shop_domain) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, "
                + "plan = EXCLUDED.plan", shop.domain(), email, name);
        assertThat(api.get(shop, "/api/billing").json().getString("plan")).isEqualTo("free");
    }

    private static long createTemplate(ShopId shop) {
        var created = api.call(shop, POST, "/api/templates", new JsonObject().put("name", "Free welcome")
                .put("subject", "Hello from Free").put("bodyHtml", "<p>Hi ${customer.first_name}</p>"
                        + "<a href=\"${unsubscribe_url}\">unsubscribe</a>"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().getLong("id");
    }

    private static MimeMessage received(String to) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return GreenMailUtil.getAddressList(m.getAllRecipients()).contains(to);
            }
            catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).findFirst().orElseThrow();
    }
}
