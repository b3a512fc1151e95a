package com.ecomcrm.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.render.MergeData;
import com.ecomcrm.email.render.RenderedEmail;
import com.ecomcrm.email.render.TemplateContent;
import com.ecomcrm.email.render.TemplateRenderException;
import com.ecomcrm.email.render.TemplateRenderer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TemplateRendererTest {
    private static final ShopId SHOP = ShopId.of("acme.myshopify.com");
    private static final ShopId OTHER = ShopId.of("other.myshopify.com");

    /** The store: acme has a "footer" partial, other has a "secret" one. */
    private final TemplateRenderer renderer = new TemplateRenderer((shop, name) -> {
        if (shop.equals(SHOP) && name.equals("footer")) {
            return Optional.of("<p>Bye from ${shop.name}</p>");
        }
        if (shop.equals(OTHER) && name.equals("secret")) {
            return Optional.of("other shop's secret");
        }
        return Optional.empty();
    }, Duration.ofMillis(500), 100_000);

    @AfterEach
    void close() {
        renderer.close();
    }

    private RenderedEmail render(String html) throws TemplateRenderException {
        return renderer.render(SHOP, new TemplateContent(null, "Hi ${customer.first_name}", html, null),
                MergeData.sample(SHOP.domain()));
    }

    private TemplateRenderException failure(String html) {
        return (TemplateRenderException) org.assertj.core.api.Assertions.catchThrowable(() -> render(html));
    }

    @Test
    void rendersTheMergeTags() throws Exception {
        RenderedEmail email = renderer.render(SHOP, new TemplateContent("1:1", "Hi ${customer.first_name}\r\nBcc: x",
                        "<p>${customer.email} ${shop.name} <a href=\"${unsubscribe_url}\">u</a> ${discount_code}"
                                + "<#list recommended_products as p>[${p.title} ${p.price}]</#list></p>"
                                + "<#include \"footer\">",
                        "Hello ${customer.first_name}"),
                MergeData.sample(SHOP.domain()));
        assertThat(email.subject()).isEqualTo("Hi Alex Bcc: x");
        assertThat(email.html()).contains("alex@example.com acme", "WELCOME10", "[Linen shirt 49.00]",
                "[Canvas tote 19.00]", "<p>Bye from acme</p>");
        assertThat(email.text()).isEqualTo("Hello Alex");
    }

    @Test
    void htmlIsAutoEscapedButTextIsNot() throws Exception {
        Map<String, Object> model = Map.of("customer", Map.of("first_name", "<script>alert(1)</script>"));
        RenderedEmail email = renderer.render(SHOP, new TemplateContent(null, "${customer.first_name}",
                "<p>${customer.first_name}</p>", "${customer.first_name}"), model);
        assertThat(email.html()).isEqualTo("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
        assertThat(email.text()).isEqualTo("<script>alert(1)</script>");
    }

    @Test
    void apiBuiltInIsRefused() {
        TemplateRenderException e = failure("${\"x\"?api}");
        assertThat(e.problem().message()).containsIgnoringCase("api");
        assertThat(e.problem().line()).isEqualTo(1);
    }

    @Test
    void newBuiltInCannotReachAnyClass() {
        TemplateRenderException e = failure(
                "<#assign x = \"freemarker.template.utility.Execute\"?new()>${x(\"id\")}");
        assertThat(e.problem().message()).containsIgnoringCase("not allowed");
    }

    @Test
    void objectConstructorIsRefusedToo() {
        assertThat(failure("<#assign c = \"freemarker.template.utility.ObjectConstructor\"?new()>${c(\"java.io.File\", \"/\")}")
                .problem().message()).containsIgnoringCase("not allowed");
    }

    @Test
    void includesOutsideTheShopsStoreAreNotFound() {
        assertThat(failure("<#include \"/etc/passwd\">").problem().message()).contains("etc/passwd");
        assertThat(failure("<#include \"../../../../etc/passwd\">").problem().line()).isEqualTo(1);
        assertThat(failure("<#include \"secret\">").problem().message()).contains("secret");
        assertThat(failure("<#import \"file:///etc/passwd\" as p>").problem().line()).isEqualTo(1);
    }

    @Test
    void javaObjectsAreRefusedAsMergeData() {
        assertThatThrownBy(() -> renderer.render(SHOP, new TemplateContent(null, "s", "${x}", null),
                Map.of("x", new java.io.File("/"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.io.File");
    }

    @Test
    void anEndlessLoopIsStoppedByTheTimeLimit() {
        long start = System.nanoTime();
        TemplateRenderException e = failure("<#list 1..999999999 as i><#assign x = i></#list>");
        assertThat(e.problem().message()).contains("longer than 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void hugeOutputIsRefused() {
        assertThat(failure("<#list 1..999999999 as i>xxxxxxxxxx</#list>").problem().message())
                .containsAnyOf("larger than", "longer than");
    }

    @Test
    void aSyntaxErrorIsReportedWithLineAndColumn() {
        TemplateRenderException e = failure("<p>ok</p>\n<p>${customer.first_name</p>\n");
        assertThat(e.problem().part()).isEqualTo("html");
        assertThat(e.problem().line()).isEqualTo(2);
        assertThat(e.problem().column()).isPositive();
        assertThat(e.problem().message()).isNotBlank();
    }

    @Test
    void aMissingValueIsReportedWithLineAndColumn() {
        TemplateRenderException e = failure("<p>\n  ${customer.nickname}</p>");
        assertThat(e.problem().line()).isEqualTo(2);
        assertThat(e.problem().column()).isEqualTo(5); // the expression inside ${}
        assertThat(e.problem().message()).contains("nickname");
    }

    @Test
    void validateUsesSampleData() {
        assertThat(renderer.validate(SHOP, new TemplateContent(null, "Hi", "${customer.first_name}", null))).isEmpty();
        assertThat(renderer.validate(SHOP, new TemplateContent(null, "Hi", "${foo.bar}", null)))
                .hasSize(1);
        assertThat(List.of(1)).hasSize(1);
    }
}
