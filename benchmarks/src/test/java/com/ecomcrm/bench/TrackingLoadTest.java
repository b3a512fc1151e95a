package com.ecomcrm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.tracking.TrackingLinks;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tracking stage's requests: a long warm-up leaves the measured mix alone and never clicks a send twice. */
class TrackingLoadTest {
    private static final TrackingLinks LINKS = new TrackingLinks("a-test-key-of-enough-length-0123456789",
            "https://app.example");

    @Test
    void theMeasuredRequestsKeepTheirClickShareHoweverLongTheWarmUpAndNoSendIsClickedTwice() {
        List<SendThroughput.SentEmail> sent = new ArrayList<>();
        for (long id = 1; id <= 20_000; id++) {
            sent.add(new SendThroughput.SentEmail(ShopId.of("shop-" + id % 4 + ".myshopify.com"), id,
                    List.of("send" + id + "-link1", "send" + id + "-link2")));
        }
        TrackingLoad load = new TrackingLoad(URI.create("http://127.0.0.1:1"),
                new TrackingLoad.Settings(50_000, 100_000, 64, 0.2, Duration.ofSeconds(1)));

        TrackingLoad.Plan plan = load.plan(sent, LINKS);

        assertThat(plan.measured()).hasSize(50_000);
        assertThat(plan.warmup()).hasSize(100_000);
        assertThat(plan.measured().stream().filter(TrackingLoad.Planned::click).count()).isEqualTo(10_000);
        // The warm-up clicks only the sends the measured requests do not: 10,000 are left.
        assertThat(plan.warmup().stream().filter(TrackingLoad.Planned::click).count()).isEqualTo(10_000);
        Set<String> clickedSends = new HashSet<>();
        for (List<TrackingLoad.Planned> part : List.of(plan.measured(), plan.warmup())) {
            for (TrackingLoad.Planned request : part) {
                if (request.click()) {
                    String send = request.path().substring("/t/c/".length()).replaceAll("-link\\d$", "");
                    assertThat(clickedSends.add(send)).as("%s clicked twice", send).isTrue();
                }
                else {
                    assertThat(request.path()).startsWith("/t/o/");
                }
            }
        }
    }
}
