package com.ecomcrm.testing.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A parsed selection of a GraphQL query document, enough for the simulator to answer field by field and to compute
 * Shopify's query cost from it: fields with their arguments (variables resolved to JSON values) and nested
 * selections, and inline fragments ({@code ... on Refund { ... }}). Named fragments, directives and aliases are not
 * read: the app sends none in the queries answered this way, and an unsupported construct fails loudly.
 *
 * @param name      the field name, or for an inline fragment {@code "..."}
 * @param onType    the inline fragment's type condition; null for a field
 * @param arguments the field's arguments as JSON values
 * @param children  the nested selection (empty for a scalar)
 */
record GraphqlSelection(String name, String onType, Map<String, JsonNode> arguments, List<GraphqlSelection> children) {
    private static final ObjectMapper JSON = new ObjectMapper();

    GraphqlSelection {
        requireNonNull(name, "name is null");
        arguments = Map.copyOf(arguments);
        children = List.copyOf(children);
    }

    boolean isFragment() {
        return onType != null;
    }

    /** An argument's value; a missing node when absent. */
    JsonNode argument(String argument) {
        JsonNode value = arguments.get(argument);
        return value == null ? JsonNodeFactory.instance.missingNode() : value;
    }

    /** The child field called {@code field} (directly, not inside fragments), or null. */
    GraphqlSelection child(String field) {
        for (GraphqlSelection child : children) {
            if (!child.isFragment() && child.name.equals(field)) {
                return child;
            }
        }
        return null;
    }

    /** The root fields of an operation ({@code query q($x: ID!) { nodes(ids: $x) { ... } } }). */
    static List<GraphqlSelection> parseOperation(String document, JsonNode variables) {
        Parser parser = new Parser(document, variables == null ? JsonNodeFactory.instance.objectNode() : variables);
        return parser.operation();
    }

    /** A document the simulator cannot read. */
    static final class SyntaxError extends RuntimeException {
        SyntaxError(String message) {
            super(message);
        }
    }

    private static final class Parser {
        private final String text;
        private final JsonNode variables;
        private int at;

        Parser(String text, JsonNode variables) {
            this.text = text;
            this.variables = variables;
        }

        List<GraphqlSelection> operation() {
            skipIgnored();
            if (peekName()) {
                String keyword = name();
                if (!keyword.equals("query")) {
                    throw new SyntaxError("Only a query is read here, not '" + keyword + "'");
                }
                skipIgnored();
                if (peekName()) {
                    name();
                }
                skipIgnored();
                if (peek('(')) {
                    skipBalanced('(', ')');
                }
            }
            List<GraphqlSelection> root = selectionSet();
            skipIgnored();
            if (at < text.length()) {
                throw new SyntaxError("Unexpected text after the operation at " + at);
            }
            return root;
        }

        private List<GraphqlSelection> selectionSet() {
            expect('{');
            List<GraphqlSelection> selections = new ArrayList<>();
            while (true) {
                skipIgnored();
                if (peek('}')) {
                    at++;
                    return selections;
                }
                if (text.startsWith("...", at)) {
                    at += 3;
                    skipIgnored();
                    String on = name();
                    if (!on.equals("on")) {
                        throw new SyntaxError("Named fragments are not read here ('..." + on + "')");
                    }
                    skipIgnored();
                    String type = name();
                    skipIgnored();
                    selections.add(new GraphqlSelection("...", type, Map.of(), selectionSet()));
                    continue;
                }
                String field = name();
                skipIgnored();
                if (peek(':')) {
                    throw new SyntaxError("Aliases are not read here ('" + field + ":')");
                }
                Map<String, JsonNode> arguments = new LinkedHashMap<>();
                if (peek('(')) {
                    at++;
                    while (true) {
                        skipIgnored();
                        if (peek(')')) {
                            at++;
                            break;
                        }
                        String argument = name();
                        skipIgnored();
                        expect(':');
                        arguments.put(argument, value());
                    }
                    skipIgnored();
                }
                List<GraphqlSelection> children = peek('{') ? selectionSet() : List.of();
                selections.add(new GraphqlSelection(field, null, arguments, children));
            }
        }

        private JsonNode value() {
            skipIgnored();
            if (peek('$')) {
                at++;
                JsonNode value = variables.get(name());
                return value == null ? JsonNodeFactory.instance.nullNode() : value;
            }
            if (peek('[')) {
                at++;
                ArrayNode list = JsonNodeFactory.instance.arrayNode();
                while (true) {
                    skipIgnored();
                    if (peek(']')) {
                        at++;
                        return list;
                    }
                    list.add(value());
                }
            }
            if (peek('"')) {
                int start = at;
                for (at++; at < text.length() && text.charAt(at) != '"'; at++) {
                    if (text.charAt(at) == '\\') {
                        at++;
                    }
                }
                at++;
                try {
                    return JSON.readTree(text.substring(start, at));
                }
                catch (java.io.IOException e) {
                    throw new SyntaxError("Cannot read string at " + start);
                }
            }
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '-'
                    || text.charAt(at) == '_' || text.charAt(at) == '.')) {
                at++;
            }
            String bare = text.substring(start, at);
            if (bare.isEmpty()) {
                throw new SyntaxError("Expected a value at " + start);
            }
            if (bare.matches("-?\\d+")) {
                return JsonNodeFactory.instance.numberNode(Long.parseLong(bare));
            }
            if (bare.equals("true") || bare.equals("false")) {
                return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(bare));
            }
            if (bare.equals("null")) {
                return JsonNodeFactory.instance.nullNode();
            }
            return JsonNodeFactory.instance.textNode(bare);
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private boolean peekName() {
            return at < text.length() && (Character.isLetter(text.charAt(at)) || text.charAt(at) == '_');
        }

        private String name() {
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
            if (start == at) {
                throw new SyntaxError("Expected a name at " + start);
            }
            return text.substring(start, at);
        }

        private void expect(char c) {
            skipIgnored();
            if (!peek(c)) {
                throw new SyntaxError("Expected '" + c + "' at " + at);
            }
            at++;
        }

        private void skipBalanced(char open, char close) {
            int depth = 0;
            do {
                char c = text.charAt(at++);
                depth += c == open ? 1 : c == close ? -1 : 0;
            }
            while (depth > 0 && at < text.length());
        }

        /** Whitespace, commas and comments are insignificant in GraphQL. */
        private void skipIgnored() {
            while (at < text.length()) {
                char c = text.charAt(at);
                if (Character.isWhitespace(c) || c == ',') {
                    at++;
                }
                else if (c == '#') {
                    while (at < text.length() && text.charAt(at) != '\n') {
                        at++;
                    }
                }
                else {
                    return;
                }
            }
        }
    }
}
