package com.ecomcrm.testing.shopify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough reading of GraphQL text for the simulator: which operation a request is, the value of an argument
 * (inline string, block string or {@code $variable}), the root field of a bulk query and the field names a selection
 * mentions. Not a GraphQL parser; it does not need to be one for the handful of documents the app sends.
 */
final class GraphqlText {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern BARE_VALUE = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern ROOT_FIELD = Pattern.compile("^\\s*(?:query\\b[^{]*)?\\{\\s*([A-Za-z_][A-Za-z0-9_]*)");

    private GraphqlText() {
    }

    /**
     * A call of {@code field} with arguments, not an operation named like it: {@code mutation
     * webhookSubscriptionCreate($topic: ...)} declares variables, whose list starts with {@code $}.
     */
    private static Pattern callOf(String field) {
        return Pattern.compile("\\b" + Pattern.quote(field) + "\\s*\\((?!\\s*\\$)");
    }

    static boolean calls(String document, String field) {
        return Pattern.compile("\\b" + Pattern.quote(field) + "\\s*[({]").matcher(document).find();
    }

    /**
     * The string value of {@code argument} in the first call of {@code field}, resolving {@code $variables}.
     */
    static Optional<String> argument(String document, String field, String argument, JsonNode variables) {
        Matcher call = callOf(field).matcher(document);
        if (!call.find()) {
            return Optional.empty();
        }
        Matcher arg = Pattern.compile("(?<!\\$)\\b" + Pattern.quote(argument) + "\\s*:\\s*").matcher(document);
        if (!arg.find(call.end())) {
            return Optional.empty();
        }
        int at = arg.end();
        if (document.startsWith("$", at)) {
            Matcher name = NAME.matcher(document);
            if (!name.find(at + 1) || name.start() != at + 1) {
                return Optional.empty();
            }
            JsonNode value = variables == null ? null : variables.get(name.group());
            return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
        }
        Matcher bare = BARE_VALUE.matcher(document);
        if (bare.find(at) && bare.start() == at) {
            // An enum (CUSTOMERS_CREATE), a number or a boolean written inline.
            return Optional.of(bare.group());
        }
        if (document.startsWith("\"\"\"", at)) {
            int close = document.indexOf("\"\"\"", at + 3);
            return close < 0 ? Optional.empty() : Optional.of(document.substring(at + 3, close).replace("\\\"\"\"", "\"\"\""));
        }
        if (document.startsWith("\"", at)) {
            for (int i = at + 1; i < document.length(); i++) {
                char c = document.charAt(i);
                if (c == '\\') {
                    i++;
                }
                else if (c == '"') {
                    try {
                        return Optional.of(JSON.readValue(document.substring(at, i + 1), String.class));
                    }
                    catch (JsonProcessingException e) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The JSON value of an argument passed as a {@code $variable} (objects such as {@code WebhookSubscriptionInput}). */
    static Optional<JsonNode> variableArgument(String document, String field, String argument, JsonNode variables) {
        Matcher call = callOf(field).matcher(document);
        if (!call.find()) {
            return Optional.empty();
        }
        Matcher arg = Pattern.compile("\\b" + Pattern.quote(argument) + "\\s*:\\s*\\$([A-Za-z_][A-Za-z0-9_]*)")
                .matcher(document);
        if (!arg.find(call.end()) || variables == null) {
            return Optional.empty();
        }
        JsonNode value = variables.get(arg.group(1));
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    /** The first field of the query's selection: {@code customers} for {@code { customers { edges ... } } }. */
    static Optional<String> rootField(String query) {
        Matcher matcher = ROOT_FIELD.matcher(query);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** Every name the document selects, with argument lists and string literals left out. */
    static Set<String> selectedNames(String document) {
        String text = withoutLiteralsAndArguments(document);
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = NAME.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    /**
     * The names selected inside each selection set of {@code field} (every occurrence, nested ones included): for
     * {@code refunds { id refundLineItems { edges { node { id } } } } }, {@code id, refundLineItems, edges, node}.
     */
    static Set<String> selectedInside(String document, String field) {
        String text = withoutLiteralsAndArguments(document);
        Set<String> names = new LinkedHashSet<>();
        Matcher opening = Pattern.compile("\\b" + Pattern.quote(field) + "\\s*\\{").matcher(text);
        while (opening.find()) {
            int depth = 1;
            int at = opening.end();
            while (at < text.length() && depth > 0) {
                char c = text.charAt(at);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                at++;
            }
            Matcher name = NAME.matcher(text.substring(opening.end(), Math.max(opening.end(), at - 1)));
            while (name.find()) {
                names.add(name.group());
            }
        }
        return names;
    }

    /** The document with string literals and argument lists blanked out: only names and braces remain. */
    private static String withoutLiteralsAndArguments(String document) {
        String text = document.replaceAll("\"\"\"[\\s\\S]*?\"\"\"", " ").replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", " ");
        String previous;
        do {
            previous = text;
            text = text.replaceAll("\\([^()]*\\)", " ");
        }
        while (!text.equals(previous));
        return text;
    }
}
