package com.ecomcrm.email.starter;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.render.MergeData;
import com.ecomcrm.email.render.RenderedEmail;
import com.ecomcrm.email.render.TemplateContent;
import com.ecomcrm.email.render.TemplateRenderer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every starter renders in the merchant sandbox and carries what makes it work on phones and in mail clients. */
class StarterTemplatesTest {
    private static final ShopId SHOP = ShopId.of("linen.myshopify.com");
    private static final TemplateRenderer RENDERER = new TemplateRenderer((shop, name) -> Optional.empty());
    private static final List<String> FLOW_KINDS = List.of("welcome", "abandoned_checkout", "post_purchase_thank_you",
            "review_request", "win_back", "vip");

    @AfterAll
    static void close() {
        RENDERER.close();
    }

    @Test
    void everyFlowOfTheLibraryHasAStarter() {
        assertThat(StarterTemplates.all()).extracting(StarterTemplates.Starter::kind).containsExactlyElementsOf(FLOW_KINDS);
        assertThat(StarterTemplates.of("vip")).map(StarterTemplates.Starter::name).contains("VIP");
        assertThat(StarterTemplates.of("birthday")).isEmpty();
    }

    @Test
    void eachStarterRendersWithASampleCustomerAndIsBuiltForPhonesAndMailClients() throws Exception {
        for (StarterTemplates.Starter starter : StarterTemplates.all()) {
            RenderedEmail email = render(starter, MergeData.sample(SHOP.domain()));

            assertThat(email.html()).as(starter.kind())
                    .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                    .contains("max-width:600px")
                    .contains("<table role=\"presentation\" width=\"600\"") // Outlook on Windows ignores max-width
                    .contains("@media only screen and (max-width: 620px)")
                    .contains("max-width: 100%; height: auto")
                    .contains("<meta name=\"color-scheme\" content=\"light dark\">")
                    .contains("@media (prefers-color-scheme: dark)")
                    .contains("mso-hide:all") // the hidden preheader
                    .contains("href=\"https://example.com/unsubscribe\"")
                    .contains("1 Sample Street, Springfield")
                    .contains("Alex")
                    .doesNotContain("{{").doesNotContain("${").doesNotContain("<#");
            assertThat(email.subject()).as(starter.kind()).isNotBlank().doesNotContain("${");
            // The preheader is the first text a client sees.
            String afterBody = email.html().substring(email.html().indexOf("<body"));
            assertThat(afterBody.indexOf("mso-hide:all")).as(starter.kind()).isLessThan(afterBody.indexOf("<table"));
        }
    }

    @Test
    void eachStarterRendersWithOnlyWhatTheSendJobAlwaysFillsAndAnEmptyFirstName() throws Exception {
        // No checkout, no order, no products, no discount code, no postal address: no starter may fail on those.
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("customer", Map.of("first_name", "", "last_name", "", "email", "kim@example.com"));
        model.put("shop", Map.of("name", "Linen & Co", "domain", SHOP.domain(), "address", ""));
        model.put("unsubscribe_url", "https://app.example/u/token");
        model.put("discount_code", "");
        model.put("recommended_products", List.of());

        for (StarterTemplates.Starter starter : StarterTemplates.all()) {
            RenderedEmail email = render(starter, model);

            assertThat(email.html()).as(starter.kind()).contains("Linen &amp; Co").contains("Hi,")
                    .contains("href=\"https://app.example/u/token\"").doesNotContain("You might also like");
            assertThat(email.subject()).as(starter.kind()).doesNotContain(", ,");
        }
        assertThat(render(StarterTemplates.of("abandoned_checkout").orElseThrow(), model).html())
                .contains("href=\"https://linen.myshopify.com\"");
    }

    @Test
    void productsTheirImagesAndTheDiscountCodeShowWhenThereAreSome() throws Exception {
        Map<String, Object> model = new LinkedHashMap<>(MergeData.sample(SHOP.domain()));
        model.put("recommended_products", List.of(Map.of("title", "Linen shirt", "url", "https://shop.example/p/1",
                "price", "49.00", "image_url", "https://cdn.example/shirt.jpg")));

        String html = render(StarterTemplates.of("win_back").orElseThrow(), model).html();

        assertThat(html).contains("WELCOME10").contains("You might also like").contains("Linen shirt")
                .contains("src=\"https://cdn.example/shirt.jpg\"")
                .contains("style=\"display:block;width:120px;max-width:100%;height:auto;border:0;");
    }

    @Test
    void startersPassTheSandboxValidationTheTemplatesApiApplies() {
        for (StarterTemplates.Starter starter : StarterTemplates.all()) {
            assertThat(RENDERER.validate(SHOP, new TemplateContent(null, starter.subject(), starter.bodyHtml(), null)))
                    .as(starter.kind()).isEmpty();
        }
    }

    private static RenderedEmail render(StarterTemplates.Starter starter, Map<String, Object> model)
            throws Exception {
        return RENDERER.render(SHOP, new TemplateContent(null, starter.subject(), starter.bodyHtml(), null), model);
    }
}
