package com.ecomcrm.api.settings;

import com.ecomcrm.api.templates.EmailApiHarness;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.secrets.SecretKeys;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.DkimKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Settings and the sender domain over HTTP against the real server on the real PostgreSQL; DNS verification asks
 * a DNS server this test runs on a loopback port (ECOMCRM_DNS_RESOLVER).
 */
class SettingsApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path landing;

    private static LoopbackDnsServer dns;
    private static EmailApiHarness api;

    @BeforeAll
    static void start() throws Exception {
        dns = new LoopbackDnsServer();
        api = EmailApiHarness.start(landing, Map.of(
                "ECOMCRM_DNS_RESOLVER", "127.0.0.1:" + dns.port(),
                "ECOMCRM_MAIL_DOMAIN", "mail.ecomcrm.test"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static ShopId shop(String name) {
        return ShopId.of("settings-" + RUN + "-" + name + ".myshopify.com");
    }

    /** The own sender domain is a Growth feature (PlanGate; PlanGateApiTest covers Free). */
    private static void growth(ShopId... shops) {
        for (ShopId shop : shops) {
            api.sql("INSERT INTO shops (shop_domain, plan) VALUES ($1, 'growth') "
                    + "ON CONFLICT (shop_domain) DO UPDATE SET plan = 'growth'", shop.domain());
        }
    }

    private static JsonObject validSettings() {
        return new JsonObject()
                .put("timezone", "Europe/Paris")
                .put("quietHours", new JsonObject().put("enabled", true).put("start", "22:30").put("end", "07:15"))
                .put("attribution", new JsonObject().put("clickDays", 7).put("openDays", 2))
                .put("fromName", "Linen & Co")
                .put("replyTo", "hello@linen.example")
                .putNull("fromAddress")
                .putNull("postalAddress");
    }

    @Test
    void aShopWithoutSettingsGetsTheDefaults() {
        JsonObject settings = api.get(shop("defaults"), "/api/settings").json();

        assertThat(settings).isEqualTo(new JsonObject()
                .put("timezone", "UTC")
                .put("quietHours", new JsonObject().put("enabled", true).put("start", "21:00").put("end", "08:00"))
                .put("attribution", new JsonObject().put("clickDays", 5).put("openDays", 5))
                .putNull("fromName")
                .putNull("replyTo")
                .putNull("fromAddress")
                .putNull("postalAddress"));
    }

    @Test
    void savedSettingsComeBackAreWhereTheSendJobReadsThemAndStayWithTheirShop() {
        ShopId a = shop("save-a");
        ShopId b = shop("save-b");

        var saved = api.call(a, PUT, "/api/settings", validSettings());

        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.json()).isEqualTo(validSettings());
        assertThat(api.get(a, "/api/settings").json()).isEqualTo(validSettings());
        Row row = api.sql("SELECT s.timezone, e.quiet_hours_enabled, e.quiet_start::text AS qs, "
                + "e.quiet_end::text AS qe, e.attribution_click_days, e.attribution_open_days, e.from_name, "
                + "e.reply_to FROM shops s JOIN shop_email_settings e ON e.shop_domain = s.shop_domain "
                + "WHERE s.shop_domain = $1", a.domain()).get(0);
        assertThat(row.getString("timezone")).isEqualTo("Europe/Paris");
        assertThat(row.getString("qs")).isEqualTo("22:30:00");
        assertThat(row.getString("qe")).isEqualTo("07:15:00");
        assertThat(row.getInteger("attribution_click_days")).isEqualTo(7);
        assertThat(row.getInteger("attribution_open_days")).isEqualTo(2);
        assertThat(row.getString("reply_to")).isEqualTo("hello@linen.example");
        assertThat(api.get(b, "/api/settings").json().getString("timezone")).isEqualTo("UTC");

        JsonObject cleared = validSettings().putNull("fromName").putNull("replyTo").put("timezone", "UTC");
        assertThat(api.call(a, PUT, "/api/settings", cleared).json()).isEqualTo(cleared);
    }

    @Test
    void badSettingsAreRefusedNamingTheFieldAndNothingIsSaved() {
        ShopId a = shop("bad");
        Map<String, JsonObject> cases = Map.of(
                "timezone", validSettings().put("timezone", "Mars/Olympus_Mons"),
                "quietHours.start", validSettings().put("quietHours", new JsonObject().put("enabled", true)
                        .put("start", "25:00").put("end", "07:00")),
                "quietHours.end", validSettings().put("quietHours", new JsonObject().put("enabled", true)
                        .put("start", "21:00").put("end", "7:00")),
                "quietHours.enabled", validSettings().put("quietHours", new JsonObject().put("enabled", "on")
                        .put("start", "21:00").put("end", "07:00")),
                "attribution.clickDays", validSettings().put("attribution", new JsonObject().put("clickDays", 0)
                        .put("openDays", 5)),
                "attribution.openDays", validSettings().put("attribution", new JsonObject().put("clickDays", 5)
                        .put("openDays", 31)),
                "replyTo", validSettings().put("replyTo", "hello@"),
                "fromName", validSettings().put("fromName", "Evil\r\nBcc: x@y.z"),
                "quietHours", validSettings().put("quietHours", "21-8"));

        cases.forEach((field, body) -> {
            var refused = api.call(a, PUT, "/api/settings", body);
            assertThat(refused.status()).as(field).isEqualTo(400);
            assertThat(refused.errorField()).as(field).isEqualTo(field);
            assertThat(refused.errorMessage()).as(field).startsWith("Cannot save the settings: " + field);
        });
        assertThat(api.sql("SELECT 1 FROM shop_email_settings WHERE shop_domain = $1", a.domain())).isEmpty();
    }

    /** A sender domain set up through the API, verified or not (the key itself does not matter here). */
    private static void senderDomain(ShopId shop, String domain, boolean verified) {
        api.sql("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, dkim_private_key, "
                + "dkim_public_key, verified_at) VALUES ($1, $2, 'ecomcrm1', 'sealed:', '\\x00'::bytea, 'AAAA', "
                + (verified ? "now()" : "NULL") + ")", shop.domain(), domain);
    }

    @Test
    void aFromAddressAtTheVerifiedSenderDomainIsSavedWhereTheSendJobReadsIt() {
        ShopId a = shop("from-a");
        growth(a);
        String domain = "linen-" + RUN + ".example";
        senderDomain(a, domain, true);

        var saved = api.call(a, PUT, "/api/settings", validSettings().put("fromAddress", "Hello@" + domain.toUpperCase())
                .put("postalAddress", "  1 Linen Street\n  75001 Paris \n"));

        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.json().getString("fromAddress")).isEqualTo("Hello@" + domain);
        assertThat(saved.json().getString("postalAddress")).isEqualTo("1 Linen Street, 75001 Paris");
        assertThat(api.get(a, "/api/settings").json().getString("fromAddress")).isEqualTo("Hello@" + domain);
        Row row = api.sql("SELECT from_address, postal_address FROM shop_email_settings WHERE shop_domain = $1",
                a.domain()).get(0);
        assertThat(row.getString("from_address")).isEqualTo("Hello@" + domain);
        assertThat(row.getString("postal_address")).isEqualTo("1 Linen Street, 75001 Paris");

        // Cleared with null, like the other optional fields.
        assertThat(api.call(a, PUT, "/api/settings", validSettings()).json().getValue("fromAddress")).isNull();
    }

    @Test
    void aFromAddressIsRefusedBeforeVerificationAtAnotherDomainOrWithABadMailboxName() {
        ShopId unverified = shop("from-unverified");
        ShopId verified = shop("from-verified");
        ShopId other = shop("from-other");
        growth(unverified, verified, other, shop("from-none"));
        String domain = "brand-" + RUN + ".example";
        senderDomain(unverified, "pending-" + RUN + ".example", false);
        senderDomain(verified, domain, true);

        var none = api.call(shop("from-none"), PUT, "/api/settings", validSettings()
                .put("fromAddress", "hello@" + domain));
        var pending = api.call(unverified, PUT, "/api/settings", validSettings()
                .put("fromAddress", "hello@pending-" + RUN + ".example"));
        var elsewhere = api.call(verified, PUT, "/api/settings", validSettings()
                .put("fromAddress", "hello@gmail.example"));
        var subdomain = api.call(verified, PUT, "/api/settings", validSettings()
                .put("fromAddress", "hello@news." + domain));
        // Another shop cannot borrow a domain verified by someone else.
        var borrowed = api.call(other, PUT, "/api/settings", validSettings().put("fromAddress", "hello@" + domain));

        for (var refused : List.of(none, pending, borrowed)) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.errorField()).isEqualTo("fromAddress");
            assertThat(refused.errorMessage()).contains("before your sender domain is verified");
        }
        for (var refused : List.of(elsewhere, subdomain)) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.errorField()).isEqualTo("fromAddress");
            assertThat(refused.errorMessage()).isEqualTo("Cannot save the settings: fromAddress must be at your "
                    + "verified sender domain " + domain + ", for example hello@" + domain);
        }
        for (String bad : List.of("hello", "@" + domain, "hel lo@" + domain, "\"quoted\"@" + domain,
                "a..b@" + domain, ".hello@" + domain, "Shop <hello@" + domain + ">", "hello@" + domain + "\r\nBcc: x@y.z",
                "x".repeat(65) + "@" + domain)) {
            var refused = api.call(verified, PUT, "/api/settings", validSettings().put("fromAddress", bad));
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.errorField()).as(bad).isEqualTo("fromAddress");
        }
        assertThat(api.sql("SELECT 1 FROM shop_email_settings WHERE shop_domain IN ($1, $2, $3)",
                unverified.domain(), verified.domain(), other.domain())).isEmpty();
    }

    @Test
    void aSenderDomainGetsADkimKeySealedAtRestAndTheRecordsToAdd() throws Exception {
        ShopId a = shop("domain-a");
        ShopId b = shop("domain-b");
        growth(a, b);
        assertThat(api.get(a, "/api/sender-domain").json()).isEqualTo(new JsonObject().putNull("domain")
                .put("status", "NONE").put("records", new JsonArray()).putNull("checkedAt"));
        for (String bad : List.of("not a domain", "localhost", "-bad.example", "shop.myshopify.com", "")) {
            var refused = api.call(a, PUT, "/api/sender-domain", new JsonObject().put("domain", bad));
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.errorField()).as(bad).isEqualTo("domain");
        }

        var set = api.call(a, PUT, "/api/sender-domain", new JsonObject().put("domain", "Mail.Linen-" + RUN
                + ".example"));

        assertThat(set.status()).isEqualTo(200);
        String domain = "mail.linen-" + RUN + ".example";
        JsonObject body = set.json();
        assertThat(body.getString("domain")).isEqualTo(domain);
        assertThat(body.getString("status")).isEqualTo("PENDING");
        assertThat(set.body()).doesNotContain("PRIVATE");
        JsonArray records = body.getJsonArray("records");
        assertThat(records.stream().map(r -> ((JsonObject) r).getString("type") + " "
                + ((JsonObject) r).getString("host"))).containsExactly("TXT ecomcrm1._domainkey." + domain,
                "TXT " + domain, "TXT _dmarc." + domain, "CNAME bounces." + domain);
        assertThat(records.getJsonObject(1).getString("value")).isEqualTo("v=spf1 include:_spf.mail.ecomcrm.test ~all");
        assertThat(records.getJsonObject(3).getString("value")).isEqualTo("bounces.mail.ecomcrm.test");
        String publicKey = records.getJsonObject(0).getString("value").replace("v=DKIM1; k=rsa; p=", "");

        Row row = api.sql("SELECT dkim_key_ref, dkim_private_key, dkim_selector, verified_at FROM sender_domains "
                + "WHERE shop_domain = $1", a.domain()).get(0);
        assertThat(row.getString("dkim_key_ref")).isEqualTo("sealed:");
        assertThat(row.getString("dkim_selector")).isEqualTo("ecomcrm1");
        assertThat(row.getValue("verified_at")).isNull();
        byte[] sealed = row.getBuffer("dkim_private_key").getBytes();
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("PRIVATE KEY");
        SecretCipher cipher = new SecretCipher(SecretKeys.parse(EmailApiHarness.TOKEN_KEYS));
        String pem = cipher.decrypt(sealed, SenderDomainHandlers.keyContext(a, domain));
        // The send job's reader takes it, and it is the private half of the published key.
        RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) DkimKey.parsePem(pem);
        RSAPublicKey published = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey)));
        assertThat(privateKey.getModulus()).isEqualTo(published.getModulus());
        assertThat(published.getModulus().bitLength()).isEqualTo(2048);
        assertThat(privateKey.getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
        // The send job opens it with module email's reader (same format, same keys): it signs with this key.
        assertThat(DkimKey.unseal(sealed, a.domain(), domain, Map.of("ECOMCRM_TOKEN_KEYS", EmailApiHarness.TOKEN_KEYS)))
                .isEqualTo(privateKey);

        // The same domain again keeps the key (records already added stay right); another shop sees nothing.
        assertThat(api.call(a, PUT, "/api/sender-domain", new JsonObject().put("domain", domain)).json()
                .getJsonArray("records").getJsonObject(0).getString("value")).endsWith(publicKey);
        assertThat(api.get(b, "/api/sender-domain").json().getString("status")).isEqualTo("NONE");
        assertThat(api.call(b, POST, "/api/sender-domain/verify", null).status()).isEqualTo(404);
    }

    @Test
    void verificationLooksTheRecordsUpAndVerifiesOnlyWhenAllAreRight() {
        ShopId a = shop("verify-a");
        growth(a);
        String domain = "news.verify-" + RUN + ".example";
        JsonArray records = api.call(a, PUT, "/api/sender-domain", new JsonObject().put("domain", domain)).json()
                .getJsonArray("records");

        JsonObject nothing = api.call(a, POST, "/api/sender-domain/verify", null).json();
        assertThat(nothing.getString("status")).isEqualTo("PENDING");
        assertThat(nothing.getString("checkedAt")).isNotBlank();
        assertThat(nothing.getJsonArray("records").stream().map(r -> ((JsonObject) r).getString("status")))
                .containsExactly("MISSING", "MISSING", "MISSING", "MISSING");

        dns.txt("ecomcrm1._domainkey." + domain, records.getJsonObject(0).getString("value"));
        dns.txt(domain, "v=spf1 include:_spf.google.com ~all"); // an SPF record without ours
        dns.txt("_dmarc." + domain, "v=DMARC1; p=reject; rua=mailto:d@" + domain);
        dns.cname("bounces." + domain, "bounces.mail.ecomcrm.test");
        JsonObject partly = api.call(a, POST, "/api/sender-domain/verify", null).json();
        assertThat(partly.getString("status")).isEqualTo("PENDING");
        assertThat(partly.getJsonArray("records").stream().map(r -> ((JsonObject) r).getString("status")))
                .containsExactly("VERIFIED", "MISMATCH", "VERIFIED", "VERIFIED");
        assertThat(api.sql("SELECT verified_at FROM sender_domains WHERE shop_domain = $1", a.domain()).get(0)
                .getValue("verified_at")).isNull();

        dns.clear();
        dns.txt("ecomcrm1._domainkey." + domain, records.getJsonObject(0).getString("value"));
        dns.txt(domain, "v=spf1 include:_spf.google.com include:_spf.mail.ecomcrm.test ~all");
        dns.txt("_dmarc." + domain, "v=DMARC1; p=none");
        dns.cname("bounces." + domain, "bounces.mail.ecomcrm.test");
        JsonObject verified = api.call(a, POST, "/api/sender-domain/verify", null).json();

        assertThat(verified.getString("status")).isEqualTo("VERIFIED");
        assertThat(verified.getJsonArray("records").stream().map(r -> ((JsonObject) r).getString("status")))
                .containsOnly("VERIFIED");
        // What the send job's DKIM look-up selects: a verified domain of the shop with a key.
        assertThat(api.sql("SELECT domain FROM sender_domains WHERE shop_domain = $1 AND verified_at IS NOT NULL "
                + "AND dkim_key_ref IS NOT NULL", a.domain())).hasSize(1);
        assertThat(api.get(a, "/api/sender-domain").json()).isEqualTo(verified);
    }
}
