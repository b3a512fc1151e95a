package com.ecomcrm.api.isolation;

import com.ecomcrm.api.compliance.ExportFolder;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.session.SessionTokens;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #8, item 1: the tenant-isolation attack suite. One real server (ApiMain.Application) on a PostgreSQL and a
 * ClickHouse database of its own, six shops seeded in every store the API reads, each shop's data carrying its own
 * marker, with the same customer, insight and publish ids in every shop. Every {@code /api} route of ApiServer must
 * be in {@link AttackTable}; each is attacked with broken session tokens, other shops' ids, other shops' domains
 * and injection strings, and every answer is scanned for every other shop's markers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantIsolationTest {
    private static final String RUN = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private static final int SHOP_COUNT = 6;
    private static final String LONG = "x".repeat(3_000);
    private static final List<String> INJECTIONS = List.of(
            "' OR 1=1 --",
            "'; DROP TABLE templates; --",
            "\\' OR 1 --",
            "') UNION ALL SELECT shop_id, customer_id FROM customer_rfm --",
            "1 UNION ALL SELECT * FROM shop_insights FORMAT JSONEachRow",
            "\" OR \"\"=\"",
            "back\\slash\\\\",
            "{shop}",
            "{shop} OR 1 = 1",
            "${shop.domain}",
            "nul\u0000byte",
            "ünïcødé ☃ \uD83D\uDE00 \u202Eevil",
            "-1",
            "99999999999999999999999",
            "../../etc/passwd",
            LONG);

    @TempDir
    static Path landing;

    private static GreenMail smtp;
    private static NxDomainResolver dns;
    private static IsolationServer server;
    private static List<SeededShop> shops;
    private static Map<String, RouteAttack> table;
    private static List<String> routed;
    private static Path exports;
    private static final SessionTokens TOKENS = new SessionTokens(IsolationServer.CLIENT_ID, IsolationServer.SECRET,
            Clock.systemUTC());

    @BeforeAll
    static void startAndSeed() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        dns = new NxDomainResolver();
        server = IsolationServer.start(RUN, landing, Map.of(
                "ECOMCRM_SMTP_HOST", "127.0.0.1",
                "ECOMCRM_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()),
                "ECOMCRM_SMTP_STARTTLS", "false",
                "ECOMCRM_DNS_RESOLVER", "127.0.0.1:" + dns.port(),
                "ECOMCRM_MAIL_DOMAIN", "mail.isolation.test"));
        // ApiMain reads the export folder from the process environment, as in production.
        exports = ExportFolder.fromEnvironment(System.getenv()).root();
        ShopSeeder seeder = new ShopSeeder(server, exports);
        long seeding = System.nanoTime();
        List<SeededShop> seeded = new ArrayList<>();
        for (int i = 0; i < SHOP_COUNT; i++) {
            seeded.add(seeder.seed(ShopId.of("iso-" + RUN + "-s" + i + ".myshopify.com"), "mk" + RUN + "x" + i + "x",
                    i));
        }
        shops = List.copyOf(seeded);
        System.out.printf("Isolation suite: %d shops seeded in %d ms%n", SHOP_COUNT,
                (System.nanoTime() - seeding) / 1_000_000);
        table = AttackTable.all();
        routed = RouteTable.apiRoutes();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        if (dns != null) {
            dns.close();
        }
        if (shops != null) {
            for (SeededShop shop : shops) {
                Path folder = exports.resolve(shop.shop().domain());
                if (Files.isDirectory(folder)) {
                    try (Stream<Path> files = Files.walk(folder)) {
                        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(file);
                        }
                    }
                }
            }
        }
    }

    @Test
    @Order(1)
    void everyApiRouteOfTheServerIsInTheAttackTable() {
        List<String> uncovered = routed.stream().filter(route -> !table.containsKey(route)).toList();
        List<String> notRoutedYet = table.keySet().stream().filter(route -> !routed.contains(route)).toList();
        if (!notRoutedYet.isEmpty()) {
            System.out.println("Attack table entries ready for routes not in ApiServer yet: " + notRoutedYet);
        }

        assertThat(routed).as("the route table was read").hasSizeGreaterThan(20);
        assertThat(uncovered).as("routes under /api without isolation coverage: add them to AttackTable")
                .isEmpty();
    }

    /** The detector itself: a body holding another shop's marker is a leak, an echo of the request is not. */
    @Test
    @Order(1)
    void theScanFlagsAnotherShopsMarkerButNotTheAttackersOwnInput() {
        SeededShop a = shops.get(0);
        SeededShop b = shops.get(1);
        RouteAttack route = table.get("GET /api/templates");
        Findings findings = new Findings(shops);

        findings.scanForOtherShops(route.route(), "planted", a, route.valid(a),
                new IsolationServer.Answer(200, "{\"name\":\"Tpl " + b.marker() + "\"}", Map.of()));
        findings.scanForOtherShops(route.route(), "echo", a, route.valid(a).withQuery(Map.of("q", b.marker())),
                new IsolationServer.Answer(400, "{\"message\":\"bad q " + b.marker() + "\"}", Map.of()));

        assertThat(findings.all()).hasSize(1);
        assertThat(findings.all().get(0)).startsWith("GET /api/templates | planted | LEAK")
                .contains(b.marker());
    }

    @Test
    @Order(2)
    void brokenSessionTokensAreRefusedOnEveryRouteWithTheRetryHeaderAndNoData() {
        SeededShop a = shops.get(0);
        long templatesBefore = count("SELECT count(*) AS n FROM template_versions WHERE shop_domain = $1", a);
        long statesBefore = count("SELECT count(*) AS n FROM insight_states WHERE shop_domain = $1", a);
        Findings findings = new Findings(List.of());
        int attacks = 0;
        Map<String, String> brokenTokens = BrokenTokens.forShop(a.shop());
        for (RouteAttack route : routedAttacks()) {
            for (Map.Entry<String, String> token : brokenTokens.entrySet()) {
                ApiRequest request = route.valid(a);
                String authorization = token.getValue();
                if (authorization != null && authorization.startsWith("id_token:")) {
                    request = request.withQuery(Map.of("id_token", authorization.substring("id_token:".length())));
                    authorization = null;
                }
                IsolationServer.Answer answer = server.send(request, authorization, Map.of());
                attacks++;
                if (answer.status() != 401) {
                    findings.add(route.route(), token.getKey(), request, answer, "not 401");
                    continue;
                }
                if (!"1".equals(answer.header("X-Shopify-Retry-Invalid-Session-Request"))) {
                    findings.add(route.route(), token.getKey(), request, answer, "no retry header");
                }
                if (!"UNAUTHENTICATED".equals(errorCode(answer))) {
                    findings.add(route.route(), token.getKey(), request, answer, "not the UNAUTHENTICATED error");
                }
                for (SeededShop shop : shops) {
                    for (String marker : shop.evidence()) {
                        if (answer.body().contains(marker) && !request.sentText().contains(marker)) {
                            findings.add(route.route(), token.getKey(), request, answer, "data in a refusal");
                        }
                    }
                }
            }
        }

        System.out.printf("Isolation suite: %d broken-token requests on %d routes%n", attacks, routed.size());
        assertThat(attacks).isGreaterThanOrEqualTo(routed.size() * 15);
        assertThat(findings.all()).isEmpty();
        assertThat(count("SELECT count(*) AS n FROM template_versions WHERE shop_domain = $1", a))
                .as("no template written by a refused request").isEqualTo(templatesBefore);
        assertThat(count("SELECT count(*) AS n FROM insight_states WHERE shop_domain = $1", a))
                .as("no insight state written by a refused request").isEqualTo(statesBefore);
    }

    @Test
    @Order(3)
    void everyShopSeesItsOwnDataAndNoOtherShopsOnEveryRoute() {
        Findings findings = new Findings(shops);
        for (SeededShop caller : shops) {
            for (RouteAttack route : routedAttacks()) {
                ApiRequest request = route.valid(caller);
                IsolationServer.Answer answer = call(caller, request);
                boolean upstream = route.callsShopify() && (answer.status() == 502 || answer.status() == 503);
                if ((answer.status() < 200 || answer.status() > 299) && !upstream) {
                    findings.add(route.route(), "valid request", request, answer, "not a 2xx");
                }
                if (route.ownEvidence() && caller.evidence().stream().noneMatch(answer.body()::contains)) {
                    findings.add(route.route(), "valid request", request, answer, "none of the caller's own data");
                }
                findings.scanForOtherShops(route.route(), "valid request", caller, request, answer);
            }
        }

        assertThat(findings.all()).isEmpty();
    }

    @Test
    @Order(4)
    void anotherShopsIdsInPathsAndBodiesFindNothing() {
        Findings findings = new Findings(shops);
        int attacks = 0;
        for (SeededShop caller : shops) {
            for (SeededShop victim : shops) {
                if (victim.equals(caller)) {
                    continue;
                }
                Map<String, String> theirs = RouteAttack.idsOf(victim);
                for (RouteAttack route : routedAttacks()) {
                    for (String id : route.ids()) {
                        if (id.equals("version")) {
                            continue;  // version numbers are per template, not global ids
                        }
                        ApiRequest request = route.withId(caller, id, theirs.get(id));
                        IsolationServer.Answer answer = call(caller, request);
                        attacks++;
                        String attack = victim.shop().domain() + "'s " + id + " id";
                        boolean expected = route.pathIds().contains(id) ? answer.status() == 404
                                : answer.status() >= 400 && answer.status() < 500;
                        if (!expected) {
                            findings.add(route.route(), attack, request, answer,
                                    route.pathIds().contains(id) ? "not 404" : "not refused with a 4xx");
                        }
                        findings.scanForOtherShops(route.route(), attack, caller, request, answer);
                    }
                }
            }
        }

        System.out.printf("Isolation suite: %d requests with another shop's id%n", attacks);
        assertThat(attacks).isGreaterThan(SHOP_COUNT * (SHOP_COUNT - 1) * 10);
        assertThat(findings.all()).isEmpty();
    }

    @Test
    @Order(5)
    void collidingIdsAnswerWithTheCallersOwnRows() {
        Findings findings = new Findings(shops);
        for (SeededShop caller : shops) {
            String shared = Long.toString(SeededShop.SHARED_CUSTOMER);
            Map<String, ApiRequest> requests = new LinkedHashMap<>();
            requests.put("GET /api/customers/:id", ApiRequest.get("/api/customers/" + shared));
            requests.put("GET /api/customers/:id/emails", ApiRequest.get("/api/customers/" + shared + "/emails"));
            requests.put("POST /api/templates/preview", ApiRequest.withBody("POST", "/api/templates/preview",
                    new JsonObject().put("subject", "Hi ${customer.first_name}")
                            .put("bodyHtml", "<p>${customer.first_name} ${customer.email}</p>")
                            .put("customerId", SeededShop.SHARED_CUSTOMER)));
            requests.put("GET /api/insights", ApiRequest.get("/api/insights"));
            requests.forEach((route, request) -> {
                IsolationServer.Answer answer = call(caller, request);
                if (answer.status() != 200) {
                    findings.add(route, "shared id", request, answer, "not 200");
                }
                findings.scanForOtherShops(route, "shared id", caller, request, answer);
            });
            JsonObject preview = new JsonObject(call(caller, requests.get("POST /api/templates/preview")).body());
            assertThat(preview.getString("html")).as(caller.shop().domain())
                    .contains(caller.firstName()).contains(caller.customerEmail(SeededShop.SHARED_CUSTOMER));
            assertThat(call(caller, requests.get("GET /api/customers/:id/emails")).body())
                    .contains("Hello ${customer.first_name} " + caller.marker());
        }
        // The first shop dismisses the insight every shop has: only its own state changes.
        SeededShop first = shops.get(0);
        IsolationServer.Answer dismissed = call(first, ApiRequest.withBody("POST",
                "/api/insights/" + SeededShop.SHARED_INSIGHT + "/dismiss", null));
        assertThat(dismissed.status()).isEqualTo(200);
        assertThat(server.sql("SELECT shop_domain FROM insight_states WHERE insight_id = $1",
                SeededShop.SHARED_INSIGHT).stream().map(row -> row.getString("shop_domain")).toList())
                .containsExactly(first.shop().domain());
        for (SeededShop other : shops.subList(1, shops.size())) {
            assertThat(call(other, ApiRequest.get("/api/insights")).body()).as(other.shop().domain())
                    .contains(SeededShop.SHARED_INSIGHT);
        }

        assertThat(findings.all()).isEmpty();
    }

    /**
     * Last, because it stores the victim's domain in the caller's own templates and settings (as any merchant may):
     * a later scan would see it there. The GET routes go first for the same reason.
     */
    @Test
    @Order(10)
    void anotherShopsDomainInAnyParameterHeaderOrFieldNeverSwitchesTheShop() {
        SeededShop caller = shops.get(0);
        SeededShop victim = shops.get(1);
        String theirs = victim.shop().domain();
        Findings findings = new Findings(shops);
        List<RouteAttack> readsFirst = routedAttacks().stream()
                .sorted(Comparator.comparing(route -> !route.method().equals("GET"))).toList();
        for (RouteAttack route : readsFirst) {
            List<Map.Entry<String, ApiRequest>> attacks = new ArrayList<>();
            ApiRequest valid = route.valid(caller);
            attacks.add(Map.entry("shop parameters", valid.withQuery(Map.of("shop", theirs, "shop_domain", theirs,
                    "shopDomain", theirs, "dest", theirs, "domain", theirs))));
            attacks.add(Map.entry("a valid session token of " + theirs + " in id_token",
                    valid.withQuery(Map.of("id_token", TOKENS.issue(victim.shop())))));
            for (String parameter : route.queryParameters()) {
                attacks.add(Map.entry("shop in " + parameter, valid.withQuery(Map.of(parameter, theirs))));
            }
            if (valid.body() != null) {
                JsonObject body = new JsonObject(valid.body()).put("shop", theirs).put("shop_domain", theirs)
                        .put("shopDomain", theirs);
                attacks.add(Map.entry("shop fields in the body", valid.withBodyText(body.encode())));
                for (String field : route.bodyFields()) {
                    attacks.add(Map.entry("shop in " + field, valid.withBodyText(withField(valid.body(), field,
                            theirs))));
                }
            }
            for (Map.Entry<String, ApiRequest> attack : attacks) {
                IsolationServer.Answer answer = server.send(attack.getValue(),
                        "Bearer " + TOKENS.issue(caller.shop()), Map.of("X-Shopify-Shop-Domain", theirs));
                findings.checkNoServerError(route, attack.getKey(), attack.getValue(), answer);
                findings.scanForOtherShops(route.route(), attack.getKey(), caller, attack.getValue(), answer);
                // The victim's domain was sent, so the scan above lets it through: the shop the answer speaks
                // for must still be the caller.
                if (answer.body().startsWith("{")) {
                    String shop = new JsonObject(answer.body()).getString("shop");
                    if (shop != null && !shop.equals(caller.shop().domain())) {
                        findings.add(route.route(), attack.getKey(), attack.getValue(), answer,
                                "answered for shop " + shop);
                    }
                }
            }
        }

        assertThat(findings.all()).isEmpty();
    }

    @Test
    @Order(7)
    void injectionStringsInEveryParameterFieldAndPathIdGetAFieldErrorOrANormalAnswer() {
        SeededShop caller = shops.get(0);
        Findings findings = new Findings(shops);
        int attacks = 0;
        for (RouteAttack route : routedAttacks()) {
            for (String injection : INJECTIONS) {
                String shown = injection.length() > 40 ? injection.substring(0, 12) + "...(" + injection.length()
                        + " chars)" : injection;
                List<String> parameters = new ArrayList<>(route.queryParameters());
                parameters.add("shop");
                for (String parameter : parameters) {
                    // Built afresh for every attack: a new template needs a new name.
                    ApiRequest request = route.valid(caller).withQuery(Map.of(parameter, injection));
                    attacks++;
                    check(findings, route, caller, "query " + parameter + "=" + shown, parameter, request);
                }
                if (!route.bodyFields().isEmpty()) {
                    for (String field : route.bodyFields()) {
                        ApiRequest valid = route.valid(caller);
                        ApiRequest request = valid.withBodyText(withField(valid.body(), field, injection));
                        attacks++;
                        check(findings, route, caller, "body " + field + "=" + shown, field, request);
                    }
                }
                for (String id : route.pathIds()) {
                    ApiRequest request = route.withId(caller, id, pathSegment(injection));
                    attacks++;
                    // The handlers name a path id by its route parameter: :id, or :version.
                    check(findings, route, caller, "path " + id + "=" + shown, id.equals("version") ? "version" : "id",
                            request);
                }
            }
            if (!route.method().equals("GET")) {
                for (String body : List.of("not json", "[]", "{", "null", "\"x\"", "{\"a\":" + "[".repeat(5000)
                        + "}")) {
                    ApiRequest request = route.valid(caller).withBodyText(body);
                    attacks++;
                    check(findings, route, caller, "raw body " + (body.length() > 20 ? body.substring(0, 20) : body),
                            "body", request);
                }
            }
        }

        // Conditions are stored as jsonb, which cannot hold U+0000 either.
        for (String injection : List.of("nul\u0000byte", "' OR 1=1 --", "{shop}")) {
            RouteAttack patch = table.get("PATCH /api/flows/:id");
            ApiRequest request = patch.valid(caller).withBodyText(new JsonObject()
                    .put("conditions", new JsonObject().put("note", injection)).encode());
            attacks++;
            check(findings, patch, caller, "body conditions.note=" + injection, "conditions", request);
        }

        System.out.printf("Isolation suite: %d injection requests%n", attacks);
        assertThat(attacks).isGreaterThan(routed.size() * INJECTIONS.size());
        OpenFindings.open(findings.all()).forEach(open -> System.out.println("OPEN FINDING (reported): " + open));
        assertThat(OpenFindings.unexpected(findings.all())).isEmpty();
    }

    @Test
    @Order(8)
    void templatesReachingForOtherDataAreRefusedWithLineAndColumnAndSendNothing() {
        SeededShop caller = shops.get(0);
        SeededShop victim = shops.get(1);
        Findings findings = new Findings(shops);
        Map<String, String> reaches = new LinkedHashMap<>();
        reaches.put("include of another shop's template", "<#include \"" + victim.templateName() + "\">");
        reaches.put("include by the other shop's path", "<#include \"/" + victim.shop().domain() + "/"
                + victim.templateName() + "\">");
        reaches.put("import of another shop's template", "<#import \"" + victim.templateName() + "\" as t>");
        reaches.put("include of the file system", "<#include \"/etc/passwd\">");
        reaches.put("include of a file URL", "<#include \"file:///etc/passwd\">");
        reaches.put("Execute ?new", "${\"freemarker.template.utility.Execute\"?new()(\"id\")}");
        reaches.put("ObjectConstructor ?new",
                "${\"freemarker.template.utility.ObjectConstructor\"?new()(\"java.io.File\", \"/etc\")}");
        reaches.put("?api", "${customer?api.getClass()}");
        reaches.put("Java class through a method", "${customer.getClass().getName()}");
        long versionsBefore = count("SELECT count(*) AS n FROM template_versions WHERE shop_domain = $1", caller);
        int mailsBefore = smtp.getReceivedMessages().length;
        for (Map.Entry<String, String> reach : reaches.entrySet()) {
            String bodyHtml = "<p>Hello</p>\n  " + reach.getValue();
            Map<String, ApiRequest> requests = new LinkedHashMap<>();
            requests.put("POST /api/templates", ApiRequest.withBody("POST", "/api/templates", new JsonObject()
                    .put("name", "Reach " + UUID.randomUUID()).put("subject", "Hi").put("bodyHtml", bodyHtml)));
            requests.put("PUT /api/templates/:id", ApiRequest.withBody("PUT", "/api/templates/"
                    + caller.templateId(), new JsonObject().put("subject", "Hi").put("bodyHtml", bodyHtml)));
            requests.put("POST /api/templates/preview", ApiRequest.withBody("POST", "/api/templates/preview",
                    new JsonObject().put("subject", "Hi").put("bodyHtml", bodyHtml)));
            requests.forEach((route, request) -> {
                IsolationServer.Answer answer = call(caller, request);
                findings.scanForOtherShops(route, reach.getKey(), caller, request, answer);
                JsonObject json = answer.body().startsWith("{") ? new JsonObject(answer.body()) : new JsonObject();
                // preview answers 200 with the problems listed; saving answers 422.
                JsonObject problem = json.getJsonArray("problems") == null || json.getJsonArray("problems").isEmpty()
                        ? null : json.getJsonArray("problems").getJsonObject(0);
                boolean refused = route.startsWith("POST /api/templates/preview")
                        ? answer.status() == 200 || answer.status() == 422 : answer.status() == 422;
                if (!refused || problem == null) {
                    findings.add(route, reach.getKey(), request, answer, "not refused as a template problem");
                    return;
                }
                if (problem.getInteger("line", 0) != 2 || problem.getInteger("column", 0) < 1
                        || !"bodyHtml".equals(problem.getString("part"))) {
                    findings.add(route, reach.getKey(), request, answer, "problem not at bodyHtml line 2");
                }
            });
        }

        assertThat(findings.all()).isEmpty();
        assertThat(count("SELECT count(*) AS n FROM template_versions WHERE shop_domain = $1", caller))
                .as("nothing saved").isEqualTo(versionsBefore);
        assertThat(smtp.getReceivedMessages()).as("nothing sent").hasSize(mailsBefore);
    }

    @Test
    @Order(9)
    void everyTestEmailSentDuringTheAttacksHoldsOnlyItsOwnShopsData() throws Exception {
        MimeMessage[] messages = smtp.getReceivedMessages();
        assertThat(messages).as("the test sends reached the mail server").isNotEmpty();
        List<String> leaks = new ArrayList<>();
        for (MimeMessage message : messages) {
            String raw = GreenMailUtil.getWholeMessage(message);
            SeededShop sender = shops.stream().filter(s -> raw.contains("qa-" + s.marker() + "@example.com"))
                    .findFirst().orElse(null);
            if (sender == null) {
                continue;  // a test send to an attacker-chosen address: checked by the answer scans
            }
            String subject = message.getSubject();
            for (SeededShop other : shops) {
                if (!other.equals(sender)) {
                    other.evidence().stream().filter(raw::contains).forEach(marker -> leaks.add(
                            subject + " from " + sender.shop() + " holds " + marker));
                }
            }
        }

        assertThat(leaks).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static List<RouteAttack> routedAttacks() {
        return routed.stream().map(table::get).filter(java.util.Objects::nonNull).toList();
    }

    private static IsolationServer.Answer call(SeededShop caller, ApiRequest request) {
        return server.send(request, "Bearer " + TOKENS.issue(caller.shop()), Map.of());
    }

    private static void check(Findings findings, RouteAttack route, SeededShop caller, String attack, String field,
                              ApiRequest request) {
        IsolationServer.Answer answer = call(caller, request);
        findings.checkNoServerError(route, attack, request, answer);
        findings.checkFieldNamed(route, attack, field, request, answer);
        findings.scanForOtherShops(route.route(), attack, caller, request, answer);
    }

    /** The body with one (dotted) field replaced by a string. */
    private static String withField(String body, String field, String value) {
        JsonObject json = new JsonObject(body);
        JsonObject target = json;
        String[] parts = field.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            target = target.getJsonObject(parts[i]);
        }
        target.put(parts[parts.length - 1], value);
        return json.encode();
    }

    private static String pathSegment(String value) {
        return ApiRequest.encode(value).replace("+", "%20");
    }

    private static String errorCode(IsolationServer.Answer answer) {
        try {
            return new JsonObject(answer.body()).getJsonObject("error").getString("code");
        }
        catch (RuntimeException e) {
            return null;
        }
    }

    private static long count(String sql, SeededShop shop) {
        return server.sql(sql, shop.shop().domain()).get(0).getLong("n");
    }
}
