package com.ecomcrm.testing.shopify;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The simulator's command line ({@code bin/run test-support com.ecomcrm.testing.shopify.SimulatorMain ...}):
 * <pre>
 * generate      --seed N --shops K --customers C --out DIR [--history-end YYYY-MM-DD]
 * serve         --seed N --shops K --customers C [--port P] [--history-end YYYY-MM-DD] [--polls-while-running 1]
 *               [--bucket 2000] [--restore-rate 100] [--throttled-status 200]
 * send-webhooks --seed N --shop DOMAIN [--customers C] --count K [--offset O] --url URL [--secret S]
 *               [--history-end YYYY-MM-DD]
 * </pre>
 * Shops are {@code sim-1.myshopify.com} ... {@code sim-K.myshopify.com}; {@code --customers} defaults to 1000 and
 * the history to the two years before 2026-01-01, so the three commands agree on a store given the same seed.
 * {@code send-webhooks} delivers events {@code O .. O+K-1} of the store's {@link WebhookTimeline}; the secret defaults
 * to {@code $SHOPIFY_API_SECRET}. It exits 1 if any delivery was not answered 2xx.
 */
public final class SimulatorMain {
    private static final String USAGE = """
            usage: SimulatorMain generate      --seed N --shops K --customers C --out DIR [--history-end YYYY-MM-DD]
                   SimulatorMain serve         --seed N --shops K --customers C [--port P] [--polls-while-running N]
                                               [--bucket POINTS] [--restore-rate POINTS_PER_S] [--throttled-status 200|429]
                   SimulatorMain send-webhooks --seed N --shop DOMAIN [--customers C] --count K [--offset O]
                                               --url URL [--secret S]""";

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            fail(USAGE);
        }
        Map<String, String> options = options(args);
        switch (args[0]) {
            case "generate" -> generate(options);
            case "serve" -> serve(options);
            case "send-webhooks" -> System.exit(sendWebhooks(options, System.out));
            default -> fail(USAGE);
        }
    }

    static void generate(Map<String, String> options) throws IOException {
        long seed = longOption(options, "seed", null);
        int shops = (int) longOption(options, "shops", 1L);
        int customers = (int) longOption(options, "customers", 1000L);
        Instant end = historyEnd(options);
        Path out = Path.of(required(options, "out"));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode manifest = json.createObjectNode();
        manifest.put("seed", seed);
        manifest.put("customersPerShop", customers);
        manifest.put("historyStart", BulkJsonlWriter.timestamp(end.minus(StoreGenerator.DEFAULT_HISTORY)));
        manifest.put("historyEnd", BulkJsonlWriter.timestamp(end));
        manifest.put("apiVersion", SimulatedShops.API_VERSION);
        ArrayNode shopList = manifest.putArray("shops");
        for (ShopId shop : SimulatedShops.domains(shops)) {
            SimulatedStore store = StoreGenerator.generate(seed, shop, customers, end.minus(StoreGenerator.DEFAULT_HISTORY), end);
            Path dir = out.resolve(shop.domain());
            Files.createDirectories(dir);
            ObjectNode entry = shopList.addObject();
            entry.put("shop", shop.domain());
            entry.put("accessToken", SimulatedShops.accessToken(seed, shop));
            entry.put("customers", store.customers().size());
            entry.put("orders", store.orders().size());
            entry.put("orderLines", store.lineCount());
            entry.put("revenue", BulkJsonlWriter.amount(store.orders().stream().map(SimulatedOrder::totalPrice)
                    .reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add)));
            ObjectNode files = entry.putObject("files");
            for (BulkObjectType type : BulkObjectType.values()) {
                Path file = dir.resolve(type.fileName());
                MessageDigest sha = sha256();
                BulkJsonlWriter.BulkFile written;
                try (OutputStream stream = new DigestOutputStream(
                        new java.io.BufferedOutputStream(Files.newOutputStream(file)), sha)) {
                    written = BulkJsonlWriter.write(store, type, stream);
                }
                files.putObject(type.rootField())
                        .put("path", shop.domain() + "/" + type.fileName())
                        .put("objectCount", written.objectCount())
                        .put("rootObjectCount", written.rootObjectCount())
                        .put("fileSize", written.fileSize())
                        .put("sha256", HexFormat.of().formatHex(sha.digest()));
            }
            System.out.println(shop.domain() + ": " + store.customers().size() + " customers, "
                    + store.orders().size() + " orders -> " + dir);
        }
        Files.createDirectories(out);
        json.writeValue(out.resolve("manifest.json").toFile(), manifest);
        System.out.println("manifest: " + out.resolve("manifest.json"));
    }

    static void serve(Map<String, String> options) throws Exception {
        long seed = longOption(options, "seed", null);
        int shops = (int) longOption(options, "shops", 1L);
        int customers = (int) longOption(options, "customers", 1000L);
        Instant end = historyEnd(options);
        SimulatorServer.Options serverOptions = SimulatorServer.Options.defaults()
                .withPort((int) longOption(options, "port", 0L))
                .withPollsWhileRunning((int) longOption(options, "polls-while-running", 1L))
                .withBucket(Double.parseDouble(options.getOrDefault("bucket", "2000")),
                        Double.parseDouble(options.getOrDefault("restore-rate", "100")))
                .withThrottledStatus((int) longOption(options, "throttled-status", 200L));
        // The app that installs: the same credentials the API server reads, so the OAuth and token-exchange
        // endpoints sign and check with the secret the app verifies with.
        String clientId = System.getenv("SHOPIFY_API_KEY");
        String clientSecret = System.getenv("SHOPIFY_API_SECRET");
        if (clientId != null && !clientId.isBlank() && clientSecret != null && !clientSecret.isBlank()) {
            serverOptions = serverOptions.withApp(clientId, clientSecret);
        }
        List<SimulatorServer.ShopAccount> accounts = SimulatedShops.domains(shops).stream()
                .map(shop -> new SimulatorServer.ShopAccount(
                        StoreGenerator.generate(seed, shop, customers, end.minus(StoreGenerator.DEFAULT_HISTORY), end),
                        SimulatedShops.accessToken(seed, shop)))
                .toList();
        Vertx vertx = Vertx.vertx();
        SimulatorServer server = new SimulatorServer(accounts, serverOptions);
        server.deployOn(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
            catch (Exception ignored) {
                // exiting anyway
            }
        }, "simulator-shutdown"));
        System.out.println("# Shopify simulator on " + server.baseUrl() + " (seed " + seed + ", " + shops
                + " shops x " + customers + " customers); stop with Ctrl-C or kill");
        System.out.println("ECOMCRM_SHOPIFY_ADMIN_URL=" + server.adminUrlTemplate());
        System.out.println("ECOMCRM_SHOPIFY_ADMIN_BASE=" + server.adminBaseTemplate());
        server.tokens().forEach((shop, token) -> System.out.println(shop.domain() + " " + token));
        System.out.flush();
        // Vert.x threads are not daemons: the process runs until killed.
    }

    static int sendWebhooks(Map<String, String> options, PrintStream out) {
        long seed = longOption(options, "seed", null);
        ShopId shop = ShopId.of(required(options, "shop"));
        int customers = (int) longOption(options, "customers", 1000L);
        int count = (int) longOption(options, "count", null);
        int offset = (int) longOption(options, "offset", 0L);
        URI url = URI.create(required(options, "url"));
        String secret = options.getOrDefault("secret", System.getenv("SHOPIFY_API_SECRET"));
        if (secret == null) {
            fail("send-webhooks: give --secret or set SHOPIFY_API_SECRET");
        }
        Instant end = historyEnd(options);
        SimulatedStore store = StoreGenerator.generate(seed, shop, customers, end.minus(StoreGenerator.DEFAULT_HISTORY), end);
        List<SimulatedWebhook> timeline = WebhookTimeline.of(store);
        int from = Math.min(offset, timeline.size());
        int to = Math.min(timeline.size(), from + count);
        WebhookSender sender = new WebhookSender(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                url, secret);
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Integer> topics = new TreeMap<>();
        boolean allOk = true;
        for (SimulatedWebhook webhook : timeline.subList(from, to)) {
            int status = sender.send(webhook);
            statuses.merge(status, 1, Integer::sum);
            topics.merge(webhook.topic(), 1, Integer::sum);
            if (status / 100 != 2) {
                allOk = false;
                out.println("HTTP " + status + " for " + webhook.topic() + " " + webhook.webhookId());
            }
        }
        out.println("sent " + (to - from) + " webhooks for " + shop.domain() + " (events " + from + ".." + (to - 1)
                + " of " + timeline.size() + ") to " + url + ": topics " + topics + ", statuses " + statuses);
        return allOk ? 0 : 1;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                fail("unexpected argument '" + args[i] + "'\n" + USAGE);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static Instant historyEnd(Map<String, String> options) {
        String value = options.get("history-end");
        return value == null ? StoreGenerator.DEFAULT_HISTORY_END
                : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static long longOption(Map<String, String> options, String name, Long fallback) {
        String value = options.get(name);
        if (value == null) {
            if (fallback == null) {
                fail("missing --" + name + "\n" + USAGE);
            }
            return fallback;
        }
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException e) {
            fail("--" + name + " must be a whole number, not '" + value + "'");
            return 0;
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            fail("missing --" + name + "\n" + USAGE);
        }
        return value;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
