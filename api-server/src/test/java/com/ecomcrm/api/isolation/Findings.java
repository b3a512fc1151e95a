package com.ecomcrm.api.isolation;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What the attacks found: each a route, an attack and what went wrong. The tests collect every finding before
 * failing, so one run lists them all.
 */
final class Findings {
    private final List<SeededShop> shops;
    private final List<String> found = new ArrayList<>();

    Findings(List<SeededShop> shops) {
        this.shops = List.copyOf(requireNonNull(shops, "shops is null"));
    }

    void add(String route, String attack, ApiRequest request, IsolationServer.Answer answer, String problem) {
        String body = answer == null ? "" : answer.body();
        found.add(route + " | " + attack + " | " + problem + " | request " + request + " | answered "
                + (answer == null ? "-" : answer.status()) + " " + (body.length() > 300 ? body.substring(0, 300)
                + "..." : body));
    }

    /**
     * Every other shop's markers in the body are a leak, unless the attacker sent that very text (an error message
     * quoting the attacker's own input is not a leak).
     */
    void scanForOtherShops(String route, String attack, SeededShop caller, ApiRequest request,
                           IsolationServer.Answer answer) {
        String sent = request.sentText();
        for (SeededShop other : shops) {
            if (other.equals(caller)) {
                continue;
            }
            for (String marker : other.evidence()) {
                if (answer.body().contains(marker) && !sent.contains(marker)) {
                    add(route, attack, request, answer, "LEAK: body holds " + marker + " of " + other.shop());
                }
            }
        }
    }

    /** A 5xx is never an answer to bad input; 502/503 are normal where the handler calls (unreachable) Shopify. */
    void checkNoServerError(RouteAttack route, String attack, ApiRequest request, IsolationServer.Answer answer) {
        boolean upstream = route.callsShopify() && (answer.status() == 502 || answer.status() == 503);
        if (answer.status() >= 500 && !upstream) {
            add(route.route(), attack, request, answer, "server error " + answer.status());
        }
    }

    /** A 400 must say which field is wrong, in the error shape (error.field) or the template shape (field). */
    void checkFieldNamed(RouteAttack route, String attack, String field, ApiRequest request,
                         IsolationServer.Answer answer) {
        if (answer.status() != 400) {
            return;
        }
        String named = null;
        String message = "";
        try {
            JsonObject json = new JsonObject(answer.body());
            JsonObject error = json.getValue("error") instanceof JsonObject e ? e : json;
            named = error.getString("field");
            message = String.valueOf(error.getString("message"));
        }
        catch (RuntimeException notJson) {
            add(route.route(), attack, request, answer, "400 that is not the JSON error shape");
            return;
        }
        String leaf = field.contains(".") ? field.substring(field.lastIndexOf('.') + 1) : field;
        String parent = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        // A body that is not JSON at all may be blamed on the body or on the first field it lacks.
        boolean namesIt = named != null && (named.equals(field) || named.equals(leaf) || named.equals(parent)
                || field.equals("body")) || named == null && message.contains(leaf);
        if (!namesIt) {
            add(route.route(), attack, request, answer, "400 does not name field " + field + " (field=" + named
                    + ")");
        }
    }

    List<String> all() {
        return List.copyOf(found);
    }
}
