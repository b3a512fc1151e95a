package com.ecomcrm.pipelines.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Rephrases insights through an OpenAI-compatible chat endpoint ({@code POST <url>/chat/completions}), when
 * {@code ECOMCRM_NARRATOR_URL} is set (off by default; {@code ECOMCRM_NARRATOR_MODEL}, {@code ECOMCRM_NARRATOR_KEY}
 * optional). It sends the template title and body and the aggregate numbers, which is all an insight holds: no
 * customer id, name or address is ever part of one. Any failure (status, timeout, empty answer) keeps the template text.
 * The answer's first line becomes the title and the rest the body.
 */
public final class ChatNarrator implements InsightNarrator {
    private static final Logger LOG = LoggerFactory.getLogger(ChatNarrator.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTRUCTIONS = "You rewrite short analytics findings for a shop owner. Keep every"
            + " number exactly as given. Answer with one headline line, then one or two sentences.";

    private final URI endpoint;
    private final String model;
    private final Optional<String> apiKey;
    private final HttpClient http;

    public ChatNarrator(URI baseUrl, String model, Optional<String> apiKey) {
        requireNonNull(baseUrl, "baseUrl is null");
        String base = baseUrl.toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base + "/chat/completions");
        this.model = requireNonNull(model, "model is null");
        this.apiKey = requireNonNull(apiKey, "apiKey is null");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The configured narrator: the chat client when ECOMCRM_NARRATOR_URL is set, the templates otherwise. */
    public static InsightNarrator fromEnvironment(Map<String, String> env) {
        String url = env.get("ECOMCRM_NARRATOR_URL");
        if (url == null || url.isBlank()) {
            return TEMPLATES;
        }
        String model = env.getOrDefault("ECOMCRM_NARRATOR_MODEL", "gpt-4o-mini");
        String key = env.get("ECOMCRM_NARRATOR_KEY");
        return new ChatNarrator(URI.create(url.trim()), model,
                key == null || key.isBlank() ? Optional.empty() : Optional.of(key));
    }

    @Override
    public Insight narrate(Insight insight) {
        try {
            ObjectNode request = JSON.createObjectNode().put("model", model).put("temperature", 0);
            ArrayNode messages = request.putArray("messages");
            messages.addObject().put("role", "system").put("content", INSTRUCTIONS);
            messages.addObject().put("role", "user").put("content", insight.title() + "\n" + insight.body()
                    + "\nNumbers: " + JSON.writeValueAsString(insight.numbers()));
            HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)));
            apiKey.ifPresent(key -> builder.header("Authorization", "Bearer " + key));
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warn("Narrator answered {} for insight {}; keeping the template text", response.statusCode(),
                        insight.id());
                return insight;
            }
            JsonNode content = JSON.readTree(response.body()).path("choices").path(0).path("message").path("content");
            String text = content.asText("").strip();
            if (text.isEmpty()) {
                return insight;
            }
            int newline = text.indexOf('\n');
            if (newline < 0) {
                return insight.withText(insight.title(), text);
            }
            String body = text.substring(newline + 1).strip();
            return insight.withText(text.substring(0, newline).strip(), body.isEmpty() ? insight.body() : body);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return insight;
        }
        catch (Exception e) {
            LOG.warn("Narrator failed for insight {}: {}; keeping the template text", insight.id(), e.toString());
            return insight;
        }
    }
}
