package com.ecomcrm.api.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code /api} routes ApiServer declares, read from its source: the router is a local of
 * {@code ApiServer#start} and not reachable from a test, and its source is the one route table. Anything under
 * /api declared in a shape this reader does not understand fails the suite rather than being skipped.
 */
final class RouteTable {
    private static final Path SOURCE = Path.of("src/main/java/com/ecomcrm/api/ApiServer.java");
    private static final Path DASHBOARD = Path.of("src/main/java/com/ecomcrm/api/app/DashboardRoutes.java");
    private static final Pattern SIMPLE = Pattern.compile(
            "router\\s*\\.\\s*(get|post|put|patch|delete|head|options)\\s*\\(\\s*\"(/api[^\"]*)\"\\s*\\)");
    private static final Pattern ANY_API = Pattern.compile("\"(\\^?/api[^\"]*)\"");
    /** Declarations that are not routes of their own: authentication and body parsing for routes listed here. */
    private static final List<String> NOT_ROUTES = List.of("/api/*", "/api/(flows|templates|settings|sender-domain)(/.*)?");

    private RouteTable() {
    }

    /** {@code METHOD /api/path} of every route. */
    static List<String> apiRoutes() {
        String source = read(SOURCE);
        List<String> routes = new ArrayList<>();
        Matcher simple = SIMPLE.matcher(source);
        while (simple.find()) {
            routes.add(simple.group(1).toUpperCase(Locale.ROOT) + " " + simple.group(2));
        }
        List<String> unreadable = new ArrayList<>();
        Matcher any = ANY_API.matcher(source);
        while (any.find()) {
            String path = any.group(1);
            if (!NOT_ROUTES.contains(path) && routes.stream().noneMatch(r -> r.endsWith(" " + path))) {
                unreadable.add(path);
            }
        }
        Matcher dashboard = ANY_API.matcher(read(DASHBOARD));
        while (dashboard.find()) {
            unreadable.add("DashboardRoutes " + dashboard.group(1));
        }
        if (!unreadable.isEmpty()) {
            throw new IllegalStateException("Cannot read these /api declarations as routes (add them to "
                    + "AttackTable and teach RouteTable their shape): " + unreadable);
        }
        return routes;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        }
        catch (IOException e) {
            throw new IllegalStateException("Cannot read " + path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
