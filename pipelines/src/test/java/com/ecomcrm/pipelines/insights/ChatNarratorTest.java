package com.ecomcrm.pipelines.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAI-compatible narrator against a local stub server: what it sends, what it keeps, and its fallbacks. */
class ChatNarratorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private volatile int status = 200;
    private volatile String answer = "";

    private final Insight insight = new Insight("stub-shop.myshopify.com", Insight.Kind.FLOW_OFF, "flow:3",
            Insight.Severity.MEDIUM, "Your win back flow is off", "Switched on, it would reach 120 customers now.",
            Map.of("customers", 120L), "Switch on the win back flow", "/flows/win_back", 120);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            requests.add(JSON.readTree(exchange.getRequestBody()));
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "none" : auth);
            byte[] body = JSON.createObjectNode().set("choices", JSON.createArrayNode().add(JSON.createObjectNode()
                    .set("message", JSON.createObjectNode().put("role", "assistant").put("content", answer))))
                    .toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ChatNarrator narrator() {
        return new ChatNarrator(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/"), "stub-model",
                Optional.of("secret-key"));
    }

    @Test
    void rephrasesTitleAndBodyAndKeepsEverythingElse() {
        answer = "Turn on win-back\nIt could reach 120 customers today.";

        Insight narrated = narrator().narrate(insight);

        assertThat(narrated.title()).isEqualTo("Turn on win-back");
        assertThat(narrated.body()).isEqualTo("It could reach 120 customers today.");
        assertThat(narrated.id()).isEqualTo(insight.id());
        assertThat(narrated.numbers()).isEqualTo(insight.numbers());
        assertThat(narrated.actionPath()).isEqualTo("/flows/win_back");
        JsonNode sent = requests.get(0);
        assertThat(sent.get("model").asText()).isEqualTo("stub-model");
        // Only the template text and the aggregate numbers go out: not the shop, not any customer.
        assertThat(sent.get("messages").get(1).get("content").asText()).isEqualTo("Your win back flow is off\n"
                + "Switched on, it would reach 120 customers now.\nNumbers: {\"customers\":120}");
        assertThat(sent.toString()).doesNotContain("stub-shop");
        assertThat(authorizations).containsExactly("Bearer secret-key");
    }

    @Test
    void keepsTheTemplateTextWhenTheEndpointFailsOrSaysNothing() {
        status = 500;
        answer = "Something";
        assertThat(narrator().narrate(insight)).isEqualTo(insight);

        status = 200;
        answer = "   ";
        assertThat(narrator().narrate(insight)).isEqualTo(insight);

        server.stop(0);
        assertThat(narrator().narrate(insight)).isEqualTo(insight);
    }

    @Test
    void isOffUnlessConfigured() {
        assertThat(ChatNarrator.fromEnvironment(Map.of())).isSameAs(InsightNarrator.TEMPLATES);
        assertThat(ChatNarrator.fromEnvironment(Map.of("ECOMCRM_NARRATOR_URL", " "))).isSameAs(InsightNarrator.TEMPLATES);
        assertThat(ChatNarrator.fromEnvironment(Map.of("ECOMCRM_NARRATOR_URL", "http://127.0.0.1:1/v1")))
                .isInstanceOf(ChatNarrator.class);
    }
}
