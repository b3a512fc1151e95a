package com.ecomcrm.bench.jmh;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.render.MergeData;
import com.ecomcrm.email.render.RenderedEmail;
import com.ecomcrm.email.render.TemplateContent;
import com.ecomcrm.email.render.TemplateRenderException;
import com.ecomcrm.email.render.TemplateRenderer;
import com.ecomcrm.email.render.TemplateSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The locked-down FreeMarker renderer of the email module ({@link TemplateRenderer}) on an abandoned-checkout email
 * with a product loop, conditionals and auto-escaped merge tags: rendering a saved template version (parsed once,
 * cached by its version key, as the send job renders) and a preview of unsaved text (no cache key: parsed on every
 * call). Each render includes the hand-off to the renderer's worker thread that enforces the time limit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TemplateRenderBench {
    static final ShopId SHOP = ShopId.of("bench-jmh.myshopify.com");
    static final String SUBJECT = "${customer.first_name}, you left something in your cart";
    static final String HTML = """
            <html><body>
            <h1>Hi ${customer.first_name}!</h1>
            <p>Your cart at ${shop.name} is waiting: <a href="${checkout.url}">complete your order</a>
               (${checkout.total_price}).</p>
            <#if discount_code?has_content><p>Use <b>${discount_code}</b> for 10% off.</p></#if>
            <table>
            <#list recommended_products as product>
              <tr><td><a href="${product.url}">${product.title}</a></td><td>${product.price}</td>
                  <td><#if product.image_url?has_content><img src="${product.image_url}"><#else>&nbsp;</#if></td></tr>
            </#list>
            </table>
            <p style="font-size:small"><a href="${unsubscribe_url}">Unsubscribe</a></p>
            </body></html>
            """;
    static final String TEXT = """
            Hi ${customer.first_name}, your cart at ${shop.name} is waiting: ${checkout.url}
            <#list recommended_products as product>- ${product.title}: ${product.price}
            </#list>Unsubscribe: ${unsubscribe_url}
            """;

    private TemplateRenderer renderer;
    private Map<String, Object> model;
    private TemplateContent saved;
    private TemplateContent preview;

    @Setup
    public void setUp() throws TemplateRenderException {
        renderer = new TemplateRenderer(TemplateSource.empty());
        model = MergeData.sample(SHOP.domain());
        saved = new TemplateContent("bench:1", SUBJECT, HTML, TEXT);
        preview = new TemplateContent(null, SUBJECT, HTML, TEXT);
        RenderedEmail email = renderer.render(SHOP, saved, model);
        if (!email.html().contains("Linen shirt") || !email.subject().startsWith("Alex")) {
            throw new IllegalStateException("The benchmark template did not render as expected: " + email);
        }
    }

    @TearDown
    public void tearDown() {
        renderer.close();
    }

    @Benchmark
    public RenderedEmail renderSavedTemplate() throws TemplateRenderException {
        return renderer.render(SHOP, saved, model);
    }

    @Benchmark
    public RenderedEmail renderUnsavedPreview() throws TemplateRenderException {
        return renderer.render(SHOP, preview, model);
    }
}
