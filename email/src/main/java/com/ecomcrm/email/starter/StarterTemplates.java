package com.ecomcrm.email.starter;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The starter template of every flow of the library: what a merchant starts from when they create a template for a
 * flow. Each is an ordinary merchant template (FreeMarker merge tags such as {@code ${customer.first_name}}, rendered
 * by the same sandbox) built to look right in the common mail clients and on phones:
 * <ul>
 *   <li>a table-based layout with a 600px max-width container (a fixed 600px table for Outlook on Windows, which
 *       ignores max-width) and a media query that turns it fluid below 620px, with full-width buttons;</li>
 *   <li>inline styles on every element (Gmail drops {@code <style>} in some views), fluid images
 *       ({@code max-width:100%;height:auto});</li>
 *   <li>a hidden preheader, the line inboxes show after the subject;</li>
 *   <li>{@code color-scheme} meta and dark-mode rules, colours that read on both (no pure black on white);</li>
 *   <li>a footer with the unsubscribe link and the shop's name and postal address ({@code shop.address}).</li>
 * </ul>
 */
public final class StarterTemplates {
    /** One starter: the flow kind it is for ({@code flows.kind}), a template name, subject and HTML body. */
    public record Starter(String kind, String name, String subject, String bodyHtml) {
        public Starter {
            requireNonNull(kind, "kind is null");
            requireNonNull(name, "name is null");
            requireNonNull(subject, "subject is null");
            requireNonNull(bodyHtml, "bodyHtml is null");
        }
    }

    private static final String GREETING = "Hi<#if customer.first_name?has_content> ${customer.first_name}</#if>,";
    private static final String SHOP_URL = "https://${shop.domain}";

    private static final List<Starter> STARTERS = List.of(
            starter("welcome", "Welcome", "Welcome to ${shop.name}",
                    "Thanks for subscribing: here is what to expect from us.",
                    heading("Welcome to ${shop.name}")
                            + paragraph(GREETING + " thank you for joining us. You will be the first to hear about new "
                            + "arrivals, offers and stories from our shop.")
                            + part("discount.html").replace("<#if discount_code?has_content>",
                            "<#if discount_code?has_content>\n" + paragraph("Here is a welcome gift for your first "
                                    + "order:"))
                            + button(SHOP_URL, "Visit the shop")
                            + part("products.html")),
            starter("abandoned_checkout", "Abandoned checkout", "You left something in your cart",
                    "Your cart is saved: finish your order in one click.",
                    heading("You left something behind")
                            + paragraph(GREETING + " your cart is still waiting for you<#if (checkout.total_price)??>"
                            + " (total ${checkout.total_price})</#if>. Pick up where you left off before it sells "
                            + "out.")
                            + button("${(checkout.url)!(\"https://\" + shop.domain)}", "Finish my order")
                            + part("discount.html")
                            + part("products.html")),
            starter("post_purchase_thank_you", "Thank you", "Thank you for your order<#if (order.name)??> "
                            + "${order.name}</#if>",
                    "We are getting your order ready.",
                    heading("Thank you for your order")
                            + paragraph(GREETING + " thank you for shopping with ${shop.name}<#if (order.name)??>: "
                            + "your order ${order.name}<#if (order.total_price)??> (total "
                            + "${order.total_price})</#if> is in good hands</#if>. We will let you know as soon as it "
                            + "ships.")
                            + button(SHOP_URL, "Visit the shop")
                            + part("products.html")),
            starter("review_request", "Review request", "How do you like your order<#if (order.name)??> "
                            + "${order.name}</#if>?",
                    "Tell us what you think: it takes a minute.",
                    heading("How was it?")
                            + paragraph(GREETING + " we hope you are enjoying your purchase<#if (order.name)??> "
                            + "from order ${order.name}</#if>. Would you take a minute to tell other customers what "
                            + "you think?")
                            + button(SHOP_URL, "Write a review")),
            starter("win_back", "Win-back", "We miss you<#if customer.first_name?has_content>, "
                            + "${customer.first_name}</#if>",
                    "It has been a while: here is what is new.",
                    heading("It has been a while")
                            + paragraph(GREETING + " we have not seen you in some time, and a lot has changed at "
                            + "${shop.name}. Come and have a look at what is new.")
                            + part("discount.html")
                            + button(SHOP_URL, "See what is new")
                            + part("products.html")),
            starter("vip", "VIP", "You are one of our best customers",
                    "A thank-you for being one of our best customers.",
                    heading("Thank you for being a VIP")
                            + paragraph(GREETING + " you are one of our very best customers, and we wanted to say "
                            + "thank you.")
                            + part("discount.html")
                            + button(SHOP_URL, "Shop the latest")
                            + part("products.html")));

    private StarterTemplates() {
    }

    /** The starters, in the order of the flow library. */
    public static List<Starter> all() {
        return STARTERS;
    }

    /** The starter of a flow kind ({@code welcome}, {@code abandoned_checkout}, ...). */
    public static Optional<Starter> of(String kind) {
        return STARTERS.stream().filter(s -> s.kind().equals(kind)).findFirst();
    }

    private static Starter starter(String kind, String name, String subject, String preheader, String content) {
        return new Starter(kind, name, subject, part("layout.html").replace("{{preheader}}", preheader)
                .replace("{{content}}", content.strip()));
    }

    private static String heading(String text) {
        return "<h1 class=\"h1\" style=\"margin:0 0 16px 0;font-size:28px;line-height:34px;font-weight:bold;"
                + "color:#111827;\">" + text + "</h1>\n";
    }

    private static String paragraph(String text) {
        return "<p style=\"margin:0 0 16px 0;\">" + text + "</p>\n";
    }

    private static String button(String url, String label) {
        return part("button.html").replace("{{url}}", url).replace("{{label}}", label);
    }

    private static String part(String name) {
        try (InputStream in = StarterTemplates.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Starter template part " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read starter template part " + name, e);
        }
    }
}
