package com.ecomcrm.landing;

import com.ecomcrm.domain.ShopId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LandingZoneTest {
    private static final ShopId SHOP = ShopId.of("demo-store.myshopify.com");
    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");

    @TempDir
    Path root;

    @Test
    void aWebhookLandsVerbatimInItsShopsFileOfTheDay() throws IOException {
        String body = "{\"id\":706405506930370084,\n  \"email\":\"bob@biller.com\"}";
        try (LandingZone zone = zone()) {
            Path file = zone.appendWebhook(LandingEnvelope.webhook(SHOP, "customers/create", "wh-1", NOW,
                    Optional.of(NOW.minusSeconds(2)), Optional.of("2026-07"), body));

            assertThat(file.toString()).contains("source=webhook/shop=demo-store.myshopify.com/date=2026-11-24/");
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(1);
            LandingEnvelope landed = LandingEnvelope.fromJsonLine(lines.get(0));
            assertThat(landed.body()).isEqualTo(body);
            assertThat(landed.topic()).isEqualTo("customers/create");
            assertThat(landed.deliveryId()).isEqualTo("wh-1");
            assertThat(landed.triggeredAt()).contains(NOW.minusSeconds(2));
        }
    }

    @Test
    void aTrackingEventLandsInItsOwnSourceFolderAndNotAmongWebhooks() throws IOException {
        String body = "{\"event_id\":\"e-1\",\"kind\":\"open\",\"send_id\":42}";
        try (LandingZone zone = zone()) {
            Path webhookFile = zone.appendWebhook(webhook("wh-1"));
            Path file = zone.appendTracking(LandingEnvelope.tracking(SHOP, "email/open", "e-1", NOW, body));

            assertThat(file.toString()).contains("source=tracking/shop=demo-store.myshopify.com/date=2026-11-24/");
            assertThat(file.getFileName().toString()).startsWith("tracking-");
            assertThat(Files.readAllLines(webhookFile)).hasSize(1);
            LandingEnvelope landed = LandingEnvelope.fromJsonLine(Files.readAllLines(file).get(0));
            assertThat(landed.source()).isEqualTo(LandingSource.TRACKING);
            assertThat(landed.topic()).isEqualTo("email/open");
            assertThat(landed.deliveryId()).isEqualTo("e-1");
            assertThat(landed.body()).isEqualTo(body);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> zone.appendWebhook(landed))
                    .isInstanceOf(IllegalArgumentException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> zone.appendTracking(webhook("wh-2")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void webhooksAppendAndNeverOverwrite() throws IOException {
        try (LandingZone zone = zone()) {
            Path first = zone.appendWebhook(webhook("wh-1"));
            Path second = zone.appendWebhook(webhook("wh-2"));
            assertThat(second).isEqualTo(first);
            assertThat(Files.readAllLines(first)).extracting(l -> LandingEnvelope.fromJsonLine(l).deliveryId())
                    .containsExactly("wh-1", "wh-2");
        }
    }

    @Test
    void aBatchOfWebhooksLandsInOrderInTheFilesAnnouncedBeforehand() throws IOException {
        ShopId other = ShopId.of("other-store.myshopify.com");
        LandingEnvelope a1 = webhook("wh-a1");
        LandingEnvelope b1 = LandingEnvelope.webhook(other, "orders/create", "wh-b1", NOW, Optional.empty(),
                Optional.empty(), "{\"id\":2}");
        LandingEnvelope a2 = webhook("wh-a2");
        try (LandingZone zone = zone()) {
            List<Path> expected = List.of(zone.webhookFile(a1), zone.webhookFile(b1), zone.webhookFile(a2));

            List<Path> files = zone.appendWebhooks(List.of(a1, b1, a2));

            assertThat(files).isEqualTo(expected);
            assertThat(files.get(0)).isEqualTo(files.get(2)).isNotEqualTo(files.get(1));
            assertThat(Files.readAllLines(files.get(0))).extracting(l -> LandingEnvelope.fromJsonLine(l).deliveryId())
                    .containsExactly("wh-a1", "wh-a2");
            assertThat(Files.readAllLines(files.get(1))).extracting(l -> LandingEnvelope.fromJsonLine(l).deliveryId())
                    .containsExactly("wh-b1");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> zone.appendWebhooks(List.of(
                    LandingEnvelope.tracking(SHOP, "email/open", "e-1", NOW, "{}")))).isInstanceOf(
                    IllegalArgumentException.class);
        }
    }

    @Test
    void theLandedBytesAreTheJsonLineInUtf8WithItsNewline() {
        // Non-ASCII, escapes that must stay escaped, control characters and a JSON text inside the JSON string.
        String body = "{\"name\":\"Zoë \\\"Ø\\\" 東京 😀\",\n\t\"note\":\"a\\\\b\\u0001\"}\u0007";
        LandingEnvelope envelope = LandingEnvelope.webhook(SHOP, "customers/update", "wh-ü", NOW,
                Optional.of(NOW), Optional.of("2026-07"), body);

        byte[] bytes = envelope.toJsonLineBytes();

        assertThat(bytes).isEqualTo((envelope.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(LandingEnvelope.fromJsonLine(new String(bytes, StandardCharsets.UTF_8).strip()).body())
                .isEqualTo(body);
    }

    @Test
    void concurrentWebhooksAllLandWholeWithGroupCommit() throws Exception {
        LandingZone zone = new LandingZone(new LandingLayout(root), Clock.systemUTC());
        int threads = 16;
        int perThread = 150;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    ShopId shop = ShopId.of("shop-" + (i % 3) + ".myshopify.com");
                    zone.appendWebhook(LandingEnvelope.webhook(shop, "orders/create", "w-" + thread + "-" + i,
                            Instant.now(), Optional.empty(), Optional.empty(), "{\"id\":" + (thread * 1000 + i) + "}"));
                }
                return null;
            }));
        }
        for (var future : done) {
            future.get();
        }
        pool.shutdown();
        zone.close();

        List<String> lines;
        try (var files = Files.walk(root)) {
            lines = files.filter(Files::isRegularFile).flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream();
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(lines).hasSize(threads * perThread);
        assertThat(lines.stream().map(LandingEnvelope::fromJsonLine).map(LandingEnvelope::deliveryId).distinct())
                .hasSize(threads * perThread);
    }

    @Test
    void aMalformedBulkLineIsReportedWithItsNumberAndTheRestLands() throws IOException {
        String jsonl = String.join("\n",
                "{\"id\":\"gid://shopify/Customer/1\",\"email\":\"a@example.com\"}",
                "{\"id\":\"gid://shopify/Customer/2\",\"email\":",
                "{\"id\":\"gid://shopify/Order/11\",\"__parentId\":\"gid://shopify/Customer/1\"}",
                "{\"email\":\"no-id@example.com\"}",
                "{\"id\":\"gid://shopify/LineItem/5\",\"__parentId\":\"Customer/1\"}",
                "[1,2,3]",
                "{\"id\":\"gid://shopify/Customer/3\"}") + "\n";
        try (LandingZone zone = zone()) {
            BulkLandingResult result = zone.landBulk(SHOP, "bulk/customers", "gid://shopify/BulkOperation/77",
                    new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)));

            assertThat(result.linesLanded()).isEqualTo(3);
            assertThat(result.rejects()).extracting(LandingReject::line).containsExactly(2L, 4L, 5L, 6L);
            assertThat(result.rejects().get(1).describe()).isEqualTo("line 4, field 'id': missing or not a string");
            assertThat(result.rejects().get(2).describe()).startsWith("line 5, field '__parentId': Cannot read Shopify id");
            assertThat(result.rejects().get(0).describe()).startsWith("line 2: not valid JSON");
            List<LandingEnvelope> landed = Files.readAllLines(result.file()).stream()
                    .map(LandingEnvelope::fromJsonLine).toList();
            assertThat(landed).extracting(e -> e.line().orElseThrow()).containsExactly(1L, 3L, 7L);
            assertThat(landed.get(1).body()).isEqualTo(
                    "{\"id\":\"gid://shopify/Order/11\",\"__parentId\":\"gid://shopify/Customer/1\"}");
            assertThat(result.file().getFileName().toString()).isEqualTo("bulk-77-bulk_customers.jsonl");
        }
    }

    @Test
    void landingTheSameBulkOperationAgainReplacesItsFile() throws IOException {
        try (LandingZone zone = zone()) {
            byte[] jsonl = "{\"id\":\"gid://shopify/Customer/1\"}\n".getBytes(StandardCharsets.UTF_8);
            BulkLandingResult first = zone.landBulk(SHOP, "bulk/customers", "gid://shopify/BulkOperation/9",
                    new ByteArrayInputStream(jsonl));
            BulkLandingResult again = zone.landBulk(SHOP, "bulk/customers", "gid://shopify/BulkOperation/9",
                    new ByteArrayInputStream(jsonl));
            assertThat(again.file()).isEqualTo(first.file());
            assertThat(Files.readAllLines(again.file())).hasSize(1);
            try (var files = Files.list(first.file().getParent())) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .containsExactly("bulk-9-bulk_customers.jsonl");
            }
        }
    }

    private LandingZone zone() {
        return new LandingZone(new LandingLayout(root), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static LandingEnvelope webhook(String id) {
        return LandingEnvelope.webhook(SHOP, "orders/create", id, NOW, Optional.empty(), Optional.empty(), "{}");
    }
}
