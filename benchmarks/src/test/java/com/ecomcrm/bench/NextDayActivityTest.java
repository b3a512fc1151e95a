package com.ecomcrm.bench;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingSource;
import com.ecomcrm.landing.LandingZone;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.StoreGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class NextDayActivityTest {
    private static final ShopId SHOP = ShopId.of("next-day.myshopify.com");

    @TempDir
    Path temp;

    @Test
    void landsAboutOnePercentNewOrdersOfTheDayAfterTheHistoryAsWebhooksOfThatDay() throws Exception {
        SimulatedStore store = StoreGenerator.generate(Scale.SEED, SHOP, 2_000);
        LandingLayout layout = new LandingLayout(temp);
        NextDayActivity.Counts counts;
        try (LandingZone zone = new LandingZone(layout, Clock.systemUTC())) {
            counts = new NextDayActivity(Scale.SEED, StoreGenerator.DEFAULT_HISTORY_END).land(store, zone);
        }

        assertThat(counts.orders()).isEqualTo(Math.round(store.orders().size() * NextDayActivity.ORDER_SHARE));
        assertThat(counts.customers()).isEqualTo(4); // 0.2% of 2,000 sign up, each with a first order
        assertThat(counts.checkouts()).isEqualTo(10);
        Path day = layout.dateDirectory(LandingSource.WEBHOOK, SHOP, LocalDate.of(2026, 1, 1));
        List<LandingEnvelope> landed;
        try (Stream<Path> files = Files.list(day)) {
            landed = files.flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream();
                }
                catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(LandingEnvelope::fromJsonLine).toList();
        }
        assertThat(landed).hasSize((int) counts.webhooks());
        assertThat(landed.stream().map(LandingEnvelope::topic).collect(Collectors.toSet()))
                .isEqualTo(Set.of("customers/create", "orders/create", "checkouts/create"));
        // New order ids follow the store's own, so they are new orders, not updates of old ones.
        long lastOrder = store.orders().get(store.orders().size() - 1).id();
        assertThat(landed.stream().filter(e -> e.topic().equals("orders/create")).map(LandingEnvelope::body))
                .allMatch(body -> orderId(body) > lastOrder);

        // Deterministic: the same store gives the same day.
        try (LandingZone again = new LandingZone(new LandingLayout(temp.resolve("again")), Clock.systemUTC())) {
            assertThat(new NextDayActivity(Scale.SEED, StoreGenerator.DEFAULT_HISTORY_END).land(store, again))
                    .isEqualTo(counts);
        }
    }

    private static long orderId(String body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("id").asLong();
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
