package com.ecomcrm.api.isolation;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/**
 * How the suite attacks one route: how to build a valid request for a shop from a set of object ids (so any one id
 * can be swapped for another shop's, or for an injection string), which query parameters and JSON body fields to
 * poison, and what a normal answer looks like.
 *
 * @param route           method and path exactly as ApiServer declares it, e.g. {@code GET /api/customers/:id}
 * @param note            why the route is shaped the way it is (e.g. "no shop data: the merge-tag catalogue")
 * @param ownEvidence     a valid request must show at least one of the caller's own markers (proves the fixture
 *                        reaches the route, so "no other shop's marker" is not vacuous)
 * @param ids             object ids the request carries (in the path or the body): template, version, flow,
 *                        customer, insight, export
 * @param pathIds         those of {@code ids} that are in the path (injection strings are put there too)
 * @param queryParameters parameters the handler reads (and "shop" on every route)
 * @param bodyFields      JSON body fields, dotted for nested objects ({@code quietHours.start})
 * @param callsShopify    the handler calls Shopify, which the test points at a closed port: 502/503 are normal
 */
record RouteAttack(String route, String note, boolean ownEvidence, List<String> ids, List<String> pathIds,
                   List<String> queryParameters, List<String> bodyFields, boolean callsShopify,
                   BiFunction<SeededShop, Map<String, String>, ApiRequest> build) {
    RouteAttack {
        requireNonNull(route, "route is null");
        requireNonNull(note, "note is null");
        ids = List.copyOf(ids);
        pathIds = List.copyOf(pathIds);
        queryParameters = List.copyOf(queryParameters);
        bodyFields = List.copyOf(bodyFields);
        requireNonNull(build, "build is null");
        if (!ids.containsAll(pathIds)) {
            throw new IllegalArgumentException(route + ": path ids must be among the ids");
        }
    }

    String method() {
        return route.substring(0, route.indexOf(' '));
    }

    /** The request of {@code caller} on its own objects. */
    ApiRequest valid(SeededShop caller) {
        return build.apply(caller, idsOf(caller));
    }

    /** The request of {@code caller} with one id replaced by {@code value}. */
    ApiRequest withId(SeededShop caller, String id, String value) {
        Map<String, String> ids = new java.util.HashMap<>(idsOf(caller));
        ids.put(id, value);
        return build.apply(caller, ids);
    }

    static Map<String, String> idsOf(SeededShop shop) {
        return Map.of("template", Long.toString(shop.templateId()), "version", "1",
                "flow", Long.toString(shop.flowId()), "customer", Long.toString(shop.uniqueCustomerId()),
                "insight", shop.insightId(), "export", Long.toString(shop.exportId()));
    }
}
