package com.ecomcrm.api.templates;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.mail.DkimKey;
import com.ecomcrm.email.secrets.SecretCipher;
import com.ecomcrm.email.secrets.SecretKeys;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import com.ecomcrm.testing.mail.DkimVerifier;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flows, templates, previews, test sends, merge tags and a customer's emails over HTTP against the real server on
 * the real PostgreSQL, test sends delivered to GreenMail. Each test works on shops of its own.
 */
class FlowsAndTemplatesApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

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
                "ECOMCRM_MAIL_FROM", "no-reply@mail.ecomcrm.local",
                "ECOMCRM_TEST_SENDS_PER_MINUTE", "3"));
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

    private static ShopId shop(String name) {
        return ShopId.of("email-" + RUN + "-" + name + ".myshopify.com");
    }

    // ------------------------------------------------------------------------------------------------------ flows

    @Test
    void theFlowLibraryIsCreatedSwitchedOffOnFirstCallAndAnotherShopsFlowsAreNotFound() {
        ShopId a = shop("lib-a");
        ShopId b = shop("lib-b");

        var answer = api.get(a, "/api/flows");

        assertThat(answer.status()).isEqualTo(200);
        JsonArray flows = answer.json().getJsonArray("flows");
        assertThat(flows).hasSize(6);
        assertThat(flows.stream().map(f -> ((JsonObject) f).getString("kind"))).containsExactly("welcome",
                "abandoned_checkout", "post_purchase_thank_you", "review_request", "win_back", "vip");
        JsonObject welcome = flows.getJsonObject(0);
        assertThat(welcome.getString("name")).isEqualTo("Welcome");
        assertThat(welcome.getString("description")).isNotBlank();
        assertThat(welcome.getBoolean("enabled")).isFalse();
        assertThat(welcome.getInteger("delayMinutes")).isEqualTo(10);
        assertThat(welcome.getJsonObject("conditions")).isEqualTo(new JsonObject());
        assertThat(welcome.getValue("templateId")).isNull();
        assertThat(welcome.getJsonObject("counts")).isEqualTo(new JsonObject().put("scheduled", 0).put("sent", 0)
                .put("suppressed", 0).put("failed", 0).put("held", 0));
        assertThat(api.get(a, "/api/flows").json().getJsonArray("flows")).isEqualTo(flows);

        long welcomeId = welcome.getLong("id");
        assertThat(api.get(a, "/api/flows/" + welcomeId).json()).isEqualTo(welcome);
        var stolen = api.get(b, "/api/flows/" + welcomeId);
        assertThat(stolen.status()).isEqualTo(404);
        assertThat(stolen.errorMessage()).isEqualTo("Cannot find flow " + welcomeId + " in this shop's flows");
        assertThat(api.call(b, PATCH, "/api/flows/" + welcomeId, new JsonObject().put("enabled", true)).status())
                .isEqualTo(404);
        assertThat(api.get(b, "/api/flows").json().getJsonArray("flows").stream()
                .map(f -> ((JsonObject) f).getLong("id"))).doesNotContainAnyElementsOf(
                flows.stream().map(f -> ((JsonObject) f).getLong("id")).toList());
        assertThat(api.sql("SELECT enabled FROM flows WHERE shop_domain = $1 AND id = $2", a.domain(), welcomeId)
                .get(0).getBoolean("enabled")).isFalse();
    }

    @Test
    void aPatchWithBadFieldsIsRefusedNamingTheFieldAndChangesNothing() {
        ShopId a = shop("patch-a");
        ShopId b = shop("patch-b");
        long flow = flowId(a, "abandoned_checkout");
        long otherShopsTemplate = createTemplate(b, "Theirs", "Hi", "<p>theirs</p>").getLong("id");

        assertThat(api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("delayMinutes", -1)).errorField())
                .isEqualTo("delayMinutes");
        assertThat(api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("delayMinutes", 1.5)).errorField())
                .isEqualTo("delayMinutes");
        assertThat(api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("enabled", "yes")).errorField())
                .isEqualTo("enabled");
        assertThat(api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("conditions", "x")).errorField())
                .isEqualTo("conditions");
        assertThat(api.call(a, PATCH, "/api/flows/" + flow, new JsonObject()).errorField()).isEqualTo("body");
        assertThat(api.call(a, PATCH, "/api/flows/" + flow, "not json").errorField()).isEqualTo("body");
        var badId = api.call(a, PATCH, "/api/flows/abc", new JsonObject().put("enabled", true));
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.errorField()).isEqualTo("id");
        var theirs = api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("enabled", true)
                .put("templateId", otherShopsTemplate));
        assertThat(theirs.status()).isEqualTo(404);
        assertThat(theirs.errorField()).isEqualTo("templateId");

        JsonObject unchanged = api.get(a, "/api/flows/" + flow).json();
        assertThat(unchanged.getBoolean("enabled")).isFalse();
        assertThat(unchanged.getInteger("delayMinutes")).isEqualTo(240);
        assertThat(unchanged.getValue("templateId")).isNull();
    }

    @Test
    void configuringAFlowLinksTheTemplateAndSwitchingItOffCancelsItsPendingSendsAtOnce() {
        ShopId a = shop("toggle-a");
        long flow = flowId(a, "welcome");
        long template = createTemplate(a, "Welcome mail", "Welcome ${customer.first_name}", "<p>Hi</p>")
                .getLong("id");

        JsonObject on = api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("enabled", true)
                .put("delayMinutes", 30).put("templateId", template)
                .put("conditions", new JsonObject().put("min_total_price", "50"))).json();

        assertThat(on.getBoolean("enabled")).isTrue();
        assertThat(on.getInteger("delayMinutes")).isEqualTo(30);
        assertThat(on.getLong("templateId")).isEqualTo(template);
        assertThat(on.getString("templateName")).isEqualTo("Welcome mail");
        assertThat(on.getJsonObject("conditions")).isEqualTo(new JsonObject().put("min_total_price", "50"));
        JsonArray flowIds = api.get(a, "/api/templates/" + template).json().getJsonArray("flowIds");
        assertThat(flowIds).hasSize(1);
        assertThat(flowIds.getLong(0)).isEqualTo(flow);

        long pending1 = insertSend(a, flow, 501L, "SCHEDULED", false);
        long pending2 = insertSend(a, flow, 502L, "SCHEDULED", false);
        long sent = insertSend(a, flow, 503L, "SENT", false);
        insertSend(a, flow, 504L, "SKIPPED", false);
        insertSend(a, flow, 505L, "SENT", true); // a test send: never counted
        assertThat(api.get(a, "/api/flows/" + flow).json().getJsonObject("counts")).isEqualTo(new JsonObject()
                .put("scheduled", 2).put("sent", 1).put("suppressed", 1).put("failed", 0).put("held", 0));

        JsonObject off = api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("enabled", false)).json();

        assertThat(off.getBoolean("enabled")).isFalse();
        assertThat(off.getJsonObject("counts").getInteger("scheduled")).isZero();
        assertThat(off.getJsonObject("counts").getInteger("sent")).isEqualTo(1);
        assertThat(off.getLong("templateId")).as("other settings kept").isEqualTo(template);
        for (long id : List.of(pending1, pending2)) {
            Row row = api.sql("SELECT status, skip_reason FROM sends WHERE id = $1", id).get(0);
            assertThat(row.getString("status")).isEqualTo("CANCELLED");
            assertThat(row.getString("skip_reason")).isEqualTo("flow_disabled");
        }
        assertThat(api.sql("SELECT status FROM sends WHERE id = $1", sent).get(0).getString("status"))
                .isEqualTo("SENT");

        JsonObject unlinked = api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().putNull("templateId"))
                .json();
        assertThat(unlinked.getValue("templateId")).isNull();
        assertThat(unlinked.getInteger("delayMinutes")).isEqualTo(30);
    }

    // -------------------------------------------------------------------------------------------------- templates

    @Test
    void templatesAreCreatedVersionedListedAndReadOnlyByTheirOwnShop() {
        ShopId a = shop("tpl-a");
        ShopId b = shop("tpl-b");

        var created = api.call(a, POST, "/api/templates", new JsonObject().put("name", "Thanks")
                .put("subject", "Thanks, ${customer.first_name}").put("bodyHtml", "<p>v1</p>"));

        assertThat(created.status()).isEqualTo(201);
        long id = created.json().getLong("id");
        assertThat(created.json().getString("name")).isEqualTo("Thanks");
        assertThat(created.json().getInteger("version")).isEqualTo(1);
        assertThat(created.json().getString("bodyHtml")).isEqualTo("<p>v1</p>");
        assertThat(created.json().getJsonArray("flowIds")).isEmpty();

        var updated = api.call(a, PUT, "/api/templates/" + id, new JsonObject().put("subject", "Thank you")
                .put("bodyHtml", "<p>v2 ${shop.name}</p>"));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().getInteger("version")).isEqualTo(2);
        assertThat(updated.json().getString("subject")).isEqualTo("Thank you");

        JsonObject listed = api.get(a, "/api/templates").json().getJsonArray("templates").getJsonObject(0);
        assertThat(listed.fieldNames()).containsExactlyInAnyOrder("id", "name", "subject", "version", "updatedAt",
                "flowIds");
        assertThat(listed.getInteger("version")).isEqualTo(2);
        JsonArray versions = api.get(a, "/api/templates/" + id + "/versions").json().getJsonArray("versions");
        assertThat(versions.stream().map(v -> ((JsonObject) v).getInteger("version"))).containsExactly(2, 1);
        assertThat(versions.getJsonObject(1).getString("subject")).isEqualTo("Thanks, ${customer.first_name}");
        JsonObject first = api.get(a, "/api/templates/" + id + "/versions/1").json();
        assertThat(first.getString("bodyHtml")).isEqualTo("<p>v1</p>");
        assertThat(first.getString("createdAt")).isNotBlank();
        assertThat(api.get(a, "/api/templates/" + id + "/versions/9").status()).isEqualTo(404);

        var duplicate = api.call(a, POST, "/api/templates", new JsonObject().put("name", "Thanks")
                .put("subject", "x").put("bodyHtml", "<p>x</p>"));
        assertThat(duplicate.status()).isEqualTo(400);
        assertThat(duplicate.errorField()).isEqualTo("name");
        assertThat(api.call(a, POST, "/api/templates", new JsonObject().put("name", "No body").put("subject", "x"))
                .errorField()).isEqualTo("bodyHtml");

        // Another shop: every route of the template is 404, and its list never shows it.
        for (String path : List.of("/api/templates/" + id, "/api/templates/" + id + "/versions",
                "/api/templates/" + id + "/versions/1")) {
            assertThat(api.get(b, path).status()).as(path).isEqualTo(404);
        }
        assertThat(api.call(b, PUT, "/api/templates/" + id, new JsonObject().put("subject", "pwned")
                .put("bodyHtml", "<p>pwned</p>")).status()).isEqualTo(404);
        assertThat(api.call(b, POST, "/api/templates/" + id + "/test-send", new JsonObject()
                .put("to", "thief@example.com")).status()).isEqualTo(404);
        assertThat(api.get(b, "/api/templates").json().getJsonArray("templates")).isEmpty();
        assertThat(api.sql("SELECT count(*) AS n FROM template_versions WHERE template_id = $1", id).get(0)
                .getLong("n")).isEqualTo(2);
    }

    @Test
    void aTemplateReachingForJavaTheApiOrAnIncludeFailsWithLineAndColumnAndSavesNothing() {
        ShopId a = shop("sandbox-a");
        ShopId b = shop("sandbox-b");
        createTemplate(b, "secret-footer", "x", "<p>the other shop's footer</p>");
        long id = createTemplate(a, "Safe", "Hello", "<p>safe</p>").getLong("id");

        Map<String, String> attacks = Map.of(
                "new", "<p>ok</p>\n  ${\"freemarker.template.utility.Execute\"?new()(\"id\")}",
                "api", "<p>ok</p>\n<p>${customer?api.getClass()}</p>",
                "include", "<p>ok</p>\n<#include \"/etc/passwd\">",
                "other shop", "<p>ok</p>\n<#include \"secret-footer\">",
                "syntax", "<p>ok</p>\n<p>${customer.first_name</p>");
        attacks.forEach((what, body) -> {
            var refused = api.call(a, PUT, "/api/templates/" + id, new JsonObject().put("subject", "Hello")
                    .put("bodyHtml", body));
            assertThat(refused.status()).as(what).isEqualTo(422);
            assertThat(refused.json().getString("error")).as(what).isEqualTo("INVALID_TEMPLATE");
            assertThat(refused.json().getString("field")).as(what).isEqualTo("bodyHtml");
            JsonObject problem = refused.json().getJsonArray("problems").getJsonObject(0);
            assertThat(problem.getInteger("line")).as(what).isEqualTo(2);
            assertThat(problem.getInteger("column")).as(what).isPositive();
            assertThat(problem.getString("message")).as(what).isNotBlank();
            assertThat(refused.json().getString("message")).as(what).contains("line 2, column");
        });
        var badSubject = api.call(a, POST, "/api/templates", new JsonObject().put("name", "Bad subject")
                .put("subject", "Hi ${customer?api}").put("bodyHtml", "<p>x</p>"));
        assertThat(badSubject.status()).isEqualTo(422);
        assertThat(badSubject.json().getString("field")).isEqualTo("subject");

        assertThat(api.get(a, "/api/templates/" + id + "/versions").json().getJsonArray("versions")).hasSize(1);
        assertThat(api.get(a, "/api/templates").json().getJsonArray("templates")).hasSize(1);
    }

    @Test
    void aPreviewRendersSampleDataOrOneOfTheShopsOwnCustomersAndReportsProblems() {
        ShopId a = shop("preview-a");
        ShopId b = shop("preview-b");
        consent(a, 7001L, "robin@example.com");
        insertSendWithMergeData(a, 7001L, new JsonObject().put("customer", new JsonObject()
                .put("first_name", "Robin").put("last_name", "Hood").put("email", "robin@example.com")));
        consent(b, 8001L, "other@example.com");
        JsonObject template = new JsonObject().put("subject", "Hi ${customer.first_name}")
                .put("bodyHtml", "<h1>Hello ${customer.first_name} &amp; ${shop.domain}</h1><p>${discount_code}</p>");

        JsonObject sample = api.call(a, POST, "/api/templates/preview", template).json();
        assertThat(sample.getString("subject")).isEqualTo("Hi Alex");
        assertThat(sample.getString("html")).contains("Hello Alex &amp; " + a.domain()).contains("WELCOME10");
        assertThat(sample.getString("text")).contains("Hello Alex");
        assertThat(sample.getJsonArray("problems")).isEmpty();

        JsonObject real = api.call(a, POST, "/api/templates/preview", template.copy().put("customerId", 7001))
                .json();
        assertThat(real.getString("subject")).isEqualTo("Hi Robin");

        var foreign = api.call(a, POST, "/api/templates/preview", template.copy().put("customerId", 8001));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.errorField()).isEqualTo("customerId");
        assertThat(api.call(a, POST, "/api/templates/preview", template.copy().put("customerId", "x"))
                .errorField()).isEqualTo("customerId");

        JsonObject broken = api.call(a, POST, "/api/templates/preview", new JsonObject().put("subject", "Hi")
                .put("bodyHtml", "<p>\n${nothing.here}</p>")).json();
        assertThat(broken.getValue("html")).isNull();
        assertThat(broken.getJsonArray("problems").getJsonObject(0).getInteger("line")).isEqualTo(2);
    }

    @Test
    void theMergeTagsAreTheOnesTheRendererFillsWithExamples() {
        JsonArray tags = api.get(shop("tags"), "/api/merge-tags").json().getJsonArray("tags");

        assertThat(tags).hasSize(13);
        JsonObject first = tags.getJsonObject(0);
        assertThat(first.getString("name")).isEqualTo("customer.first_name");
        assertThat(first.getString("description")).isNotBlank();
        assertThat(first.getString("example")).isEqualTo("Alex");
        JsonObject products = tags.stream().map(JsonObject.class::cast)
                .filter(t -> t.getString("name").equals("recommended_products")).findFirst().orElseThrow();
        assertThat(products.getJsonArray("example").getJsonObject(0).getString("title")).isEqualTo("Linen shirt");
    }

    @Test
    void injectionStringsAreDataNeverSql() {
        ShopId a = shop("inject-a");
        ShopId b = shop("inject-b");
        createTemplate(b, "Other shop's", "x", "<p>x</p>");
        String name = "x' OR '1'='1'; DROP TABLE templates; --";

        JsonObject created = createTemplate(a, name, "Hi", "<p>Hi</p>");

        assertThat(created.getString("name")).isEqualTo(name);
        assertThat(api.get(a, "/api/templates").json().getJsonArray("templates").stream()
                .map(t -> ((JsonObject) t).getString("name"))).containsExactly(name);
        for (String path : List.of("/api/templates/1%20OR%201=1", "/api/flows/1;DELETE", "/api/customers/1'/emails",
                "/api/templates/" + created.getLong("id") + "/versions/1%20OR%201=1")) {
            var refused = api.get(a, path);
            assertThat(refused.status()).as(path).isEqualTo(400);
            assertThat(refused.errorField()).as(path).isIn("id", "version");
        }
        assertThat(api.call(a, PATCH, "/api/flows/" + flowId(a, "vip"), new JsonObject()
                .put("conditions", new JsonObject().put("x", "'; DROP TABLE flows; --"))).json()
                .getJsonObject("conditions").getString("x")).isEqualTo("'; DROP TABLE flows; --");
        assertThat(api.get(b, "/api/templates").json().getJsonArray("templates")).hasSize(1);
    }

    @Test
    void aTemplateCanStartFromItsFlowsResponsiveStarter() {
        ShopId a = shop("starter-a");

        var created = api.call(a, POST, "/api/templates", new JsonObject().put("name", "Welcome series")
                .put("starter", "welcome"));
        var ownSubject = api.call(a, POST, "/api/templates", new JsonObject().put("name", "Cart")
                .put("subject", "Still thinking it over?").put("starter", "abandoned_checkout"));
        var unknown = api.call(a, POST, "/api/templates", new JsonObject().put("name", "X").put("starter", "birthday"));
        var both = api.call(a, POST, "/api/templates", new JsonObject().put("name", "Y").put("starter", "vip")
                .put("bodyHtml", "<p>x</p>"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().getString("subject")).isEqualTo("Welcome to ${shop.name}");
        assertThat(created.json().getString("bodyHtml")).contains("max-width:600px").contains("${unsubscribe_url}");
        assertThat(ownSubject.status()).isEqualTo(201);
        assertThat(ownSubject.json().getString("subject")).isEqualTo("Still thinking it over?");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorField()).isEqualTo("starter");
        assertThat(unknown.errorMessage()).contains("welcome, abandoned_checkout");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.errorField()).isEqualTo("starter");
        // The starter previews like any template, with the shop's sample data.
        var preview = api.call(a, POST, "/api/templates/preview", new JsonObject()
                .put("subject", created.json().getString("subject"))
                .put("bodyHtml", created.json().getString("bodyHtml")));
        assertThat(preview.json().getJsonArray("problems")).isEmpty();
        assertThat(preview.json().getString("html")).contains("Hi Alex,");
        assertThat(api.get(shop("starter-b"), "/api/templates").json().getJsonArray("templates")).isEmpty();
    }

    // -------------------------------------------------------------------------------------------------- test send

    @Test
    void aTestSendArrivesAtTheMerchantWithUnsubscribeHeadersAndIsNotCounted() throws Exception {
        ShopId a = shop("send-a");
        api.sql("INSERT INTO shops (shop_domain, email) VALUES ($1, $2) ON CONFLICT (shop_domain) DO UPDATE "
                + "SET email = EXCLUDED.email", a.domain(), "owner-" + RUN + "@merchant.example");
        api.sql("INSERT INTO shop_email_settings (shop_domain, from_name, reply_to) VALUES ($1, 'Send A', $2)",
                a.domain(), "replies-" + RUN + "@merchant.example");
        long flow = flowId(a, "welcome");
        long template = createTemplate(a, "Welcome", "Welcome ${customer.first_name}",
                "<p>Hi ${customer.first_name}, <a href=\"https://shop.example/p\">shop</a> "
                        + "<a href=\"${unsubscribe_url}\">unsubscribe</a></p>").getLong("id");
        api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("templateId", template));
        int before = smtp.getReceivedMessages().length;

        var sent = api.call(a, POST, "/api/templates/" + template + "/test-send", null);

        assertThat(sent.status()).isEqualTo(202);
        assertThat(sent.json().getString("to")).isEqualTo("owner-" + RUN + "@merchant.example");
        long sendId = sent.json().getLong("sendId");
        assertThat(smtp.waitForIncomingEmail(5_000, before + 1)).isTrue();
        MimeMessage message = Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> recipients(m).contains("owner-" + RUN + "@merchant.example")).findFirst().orElseThrow();
        assertThat(message.getSubject()).isEqualTo("[Test] Welcome Alex");
        assertThat(message.getHeader("List-Unsubscribe")[0]).contains("/u/");
        assertThat(message.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(message.getHeader("X-EcomCRM-Test")[0]).isEqualTo("true");
        assertThat(message.getReplyTo()[0].toString()).isEqualTo("replies-" + RUN + "@merchant.example");
        assertThat(((jakarta.mail.internet.InternetAddress) message.getFrom()[0]).getPersonal()).isEqualTo("Send A");
        String html = (String) ((jakarta.mail.internet.MimeMultipart) message.getContent()).getBodyPart(1)
                .getContent();
        assertThat(html).contains("/t/c/").doesNotContain("href=\"https://shop.example/p\"");

        Row row = api.sql("SELECT status, is_test, flow_id, template_id, template_version, message_id, sent_at "
                + "FROM sends WHERE shop_domain = $1 AND id = $2", a.domain(), sendId).get(0);
        assertThat(row.getString("status")).isEqualTo("SENT");
        assertThat(row.getBoolean("is_test")).isTrue();
        assertThat(row.getLong("flow_id")).isNull();
        assertThat(row.getLong("template_id")).isEqualTo(template);
        assertThat(row.getInteger("template_version")).isEqualTo(1);
        assertThat(row.getString("message_id")).isEqualTo(message.getMessageID());
        assertThat(api.get(a, "/api/flows/" + flow).json().getJsonObject("counts").getInteger("sent")).isZero();

        // A real customer's data, to an address given in the request.
        consent(a, 9001L, "kim@example.com");
        insertSendWithMergeData(a, 9001L, new JsonObject().put("customer", new JsonObject()
                .put("first_name", "Kim").put("last_name", "K").put("email", "kim@example.com")));
        var toColleague = api.call(a, POST, "/api/templates/" + template + "/test-send", new JsonObject()
                .put("to", "colleague-" + RUN + "@merchant.example").put("customerId", 9001));
        assertThat(toColleague.status()).isEqualTo(202);
        assertThat(smtp.waitForIncomingEmail(5_000, before + 2)).isTrue();
        assertThat(Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return m.getSubject().equals("[Test] Welcome Kim");
            }
            catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        })).hasSize(1);
    }

    @Test
    void aTestSendGoesFromTheMerchantsOwnAddressAtTheVerifiedDomainSignedWithItsKey() throws Exception {
        ShopId a = shop("own-from");
        String domain = "brand-" + RUN + ".example";
        // On Growth: the own sender domain is a Growth feature (on Free the test send goes from the app's address).
        api.sql("INSERT INTO shops (shop_domain, email, name, plan) VALUES ($1, $2, 'Brand Shop', 'growth') "
                + "ON CONFLICT (shop_domain) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, "
                + "plan = EXCLUDED.plan", a.domain(), "owner-" + RUN + "@gmail.example");
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair pair = generator.generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        byte[] sealed = new SecretCipher(SecretKeys.parse(EmailApiHarness.TOKEN_KEYS))
                .encrypt(pem, DkimKey.sealedContext(a.domain(), domain));
        api.sql("INSERT INTO sender_domains (shop_domain, domain, dkim_selector, dkim_key_ref, dkim_private_key, "
                + "verified_at) VALUES ($1, $2, 'ecomcrm1', 'sealed:', $3, now())", a.domain(), domain,
                io.vertx.core.buffer.Buffer.buffer(sealed));
        api.sql("INSERT INTO shop_email_settings (shop_domain, from_address, postal_address) VALUES ($1, $2, $3)",
                a.domain(), "hello@" + domain, "1 Brand Street, Springfield");
        long template = createTemplate(a, "Own from", "Hello", "<p>Hi</p><p>${shop.address}</p>"
                + "<a href=\"${unsubscribe_url}\">unsubscribe</a>").getLong("id");
        int before = smtp.getReceivedMessages().length;

        var sent = api.call(a, POST, "/api/templates/" + template + "/test-send", null);

        assertThat(sent.status()).isEqualTo(202);
        assertThat(smtp.waitForIncomingEmail(5_000, before + 1)).isTrue();
        MimeMessage message = Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> recipients(m).contains("owner-" + RUN + "@gmail.example")).findFirst().orElseThrow();
        jakarta.mail.internet.InternetAddress from = (jakarta.mail.internet.InternetAddress) message.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("hello@" + domain);
        assertThat(from.getPersonal()).isEqualTo("Brand Shop");
        assertThat(message.getHeader("Reply-To")).isNull();
        assertThat((String) ((jakarta.mail.internet.MimeMultipart) message.getContent()).getBodyPart(1).getContent())
                .contains("1 Brand Street, Springfield");
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        message.writeTo(wire);
        assertThat(DkimVerifier.verify(wire.toByteArray(), pair.getPublic())).containsEntry("d", domain)
                .containsEntry("s", "ecomcrm1");
    }

    @Test
    void testSendsAreValidatedAndRateLimitedPerShop() {
        ShopId a = shop("limit-a");
        ShopId noEmail = shop("limit-none");
        long template = createTemplate(a, "Limited", "Hi", "<p>Hi</p>").getLong("id");
        long other = createTemplate(noEmail, "Mine", "Hi", "<p>Hi</p>").getLong("id");

        var badTo = api.call(a, POST, "/api/templates/" + template + "/test-send", new JsonObject()
                .put("to", "not-an-address"));
        assertThat(badTo.status()).isEqualTo(400);
        assertThat(badTo.errorField()).isEqualTo("to");
        var noAddress = api.call(noEmail, POST, "/api/templates/" + other + "/test-send", null);
        assertThat(noAddress.status()).isEqualTo(400);
        assertThat(noAddress.errorField()).isEqualTo("to");

        for (int i = 0; i < 3; i++) { // ECOMCRM_TEST_SENDS_PER_MINUTE=3 here; refused requests take none
            assertThat(api.call(a, POST, "/api/templates/" + template + "/test-send", new JsonObject()
                    .put("to", "me-" + RUN + "@merchant.example")).status()).isEqualTo(202);
        }
        var limited = api.call(a, POST, "/api/templates/" + template + "/test-send", new JsonObject()
                .put("to", "me-" + RUN + "@merchant.example"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().getJsonObject("error").getString("code")).isEqualTo("RATE_LIMITED");
        assertThat(limited.headers()).containsEntry("retry-after", "60");
        assertThat(api.sql("SELECT count(*) AS n FROM sends WHERE shop_domain = $1 AND is_test", a.domain()).get(0)
                .getLong("n")).isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------- a customer's emails

    @Test
    void aCustomersEmailsComeNewestFirstWithHumanOpensAndClicksOnly() {
        ShopId a = shop("cust-a");
        ShopId b = shop("cust-b");
        long flow = flowId(a, "welcome");
        long template = createTemplate(a, "W", "Welcome aboard", "<p>x</p>").getLong("id");
        api.call(a, PATCH, "/api/flows/" + flow, new JsonObject().put("templateId", template));
        consent(a, 4242L, "c@example.com");
        long older = insertSend(a, flow, 4242L, "SENT", false, "now() - interval '2 days'");
        long newer = insertSend(a, flow, 4242L, "SENT", false, "now() - interval '1 day'");
        insertSend(a, flow, 4242L, "SENT", true, "now()");
        event(a, older, "open", false);
        event(a, older, "click", true); // a link scanner: not the customer
        event(a, newer, "click", false);

        JsonArray emails = api.get(a, "/api/customers/4242/emails").json().getJsonArray("emails");

        assertThat(emails.stream().map(e -> ((JsonObject) e).getLong("sendId"))).containsExactly(newer, older);
        JsonObject last = emails.getJsonObject(0);
        assertThat(last.getString("flowKind")).isEqualTo("welcome");
        assertThat(last.getString("subject")).isEqualTo("Welcome aboard");
        assertThat(last.getString("status")).isEqualTo("SENT");
        assertThat(last.getString("sentAt")).isNotBlank();
        assertThat(last.getBoolean("clicked")).isTrue();
        assertThat(emails.getJsonObject(1).getBoolean("opened")).isTrue();
        assertThat(emails.getJsonObject(1).getBoolean("clicked")).isFalse();

        assertThat(api.get(b, "/api/customers/4242/emails").status()).isEqualTo(404);
        assertThat(api.get(a, "/api/customers/x/emails").errorField()).isEqualTo("id");
    }

    // ------------------------------------------------------------------------------------------------- fixtures

    private static String recipients(MimeMessage message) {
        try {
            return GreenMailUtil.getAddressList(message.getAllRecipients());
        }
        catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long flowId(ShopId shop, String kind) {
        return api.get(shop, "/api/flows").json().getJsonArray("flows").stream().map(JsonObject.class::cast)
                .filter(f -> f.getString("kind").equals(kind)).findFirst().orElseThrow().getLong("id");
    }

    private static JsonObject createTemplate(ShopId shop, String name, String subject, String html) {
        var created = api.call(shop, POST, "/api/templates", new JsonObject().put("name", name)
                .put("subject", subject).put("bodyHtml", html));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private static long insertSend(ShopId shop, long flow, long customer, String status, boolean test) {
        return insertSend(shop, flow, customer, status, test, "now()");
    }

    private static long insertSend(ShopId shop, long flow, long customer, String status, boolean test,
                                   String sentAt) {
        return api.sql("INSERT INTO sends (shop_domain, flow_id, customer_id, email, trigger_key, idempotency_key, "
                        + "status, due_at, sent_at, is_test) VALUES ($1, $2, $3, $4, 'trigger', $5, $6, now(), "
                        + (status.equals("SENT") ? sentAt : "NULL") + ", $7) RETURNING id",
                shop.domain(), test ? null : flow, customer, "c" + customer + "@example.com",
                UUID.randomUUID().toString(), status, test).get(0).getLong("id");
    }

    private static void insertSendWithMergeData(ShopId shop, long customer, JsonObject mergeData) {
        api.sql("INSERT INTO sends (shop_domain, customer_id, email, trigger_key, idempotency_key, status, due_at, "
                        + "merge_data, is_test) VALUES ($1, $2, 'x@example.com', 't', $3, 'CANCELLED', now(), "
                        + "$4::jsonb, true)",
                shop.domain(), customer, UUID.randomUUID().toString(), mergeData);
    }

    private static void consent(ShopId shop, long customer, String email) {
        api.sql("INSERT INTO consent (shop_domain, customer_id, email, marketing_state, updated_at) "
                + "VALUES ($1, $2, $3, 'SUBSCRIBED', now())", shop.domain(), customer, email);
    }

    private static void event(ShopId shop, long send, String kind, boolean machine) {
        api.sql("INSERT INTO email_events (shop_domain, send_id, kind, machine, machine_reason) "
                        + "VALUES ($1, $2, $3, $4, $5)", shop.domain(), send, kind, machine,
                machine ? "link_scanner" : null);
    }
}
