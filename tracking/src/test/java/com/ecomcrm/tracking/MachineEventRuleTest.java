package com.ecomcrm.tracking;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.tracking.MachineEventRule.EventKind;
import com.ecomcrm.tracking.MachineEventRule.Observation;
import com.ecomcrm.tracking.MachineEventRule.Reason;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class MachineEventRuleTest {
    private static final Instant SENT = Instant.parse("2026-11-24T10:00:00Z");
    private static final String IPHONE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
            + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private static final String GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 "
            + "(via ggpht.com GoogleImageProxy)";

    @Test
    void aBrowserOpeningMinutesLaterIsHuman() {
        assertThat(open(IPHONE_SAFARI, 300).machine()).isFalse();
        assertThat(open("Mozilla/5.0 (Android 14; CUBOT X70) AppleWebKit/537.36", 300).machine()).isFalse();
    }

    @Test
    void privacyProxiesAreMachineOpensWhateverTheTiming() {
        assertThat(open(GMAIL_PROXY, 3600).reason()).contains(Reason.GMAIL_IMAGE_PROXY);
        assertThat(open("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", 3600).reason())
                .contains(Reason.YAHOO_MAIL_PROXY);
        assertThat(open("Mozilla/5.0", 3600).reason()).contains(Reason.APPLE_MAIL_PRIVACY_PROTECTION);
        assertThat(open(null, 3600).reason()).contains(Reason.NO_USER_AGENT);
    }

    @Test
    void anOpenOrClickOnDeliveryIsAMachines() {
        assertThat(open(IPHONE_SAFARI, 1).reason()).contains(Reason.OPENED_ON_DELIVERY);
        assertThat(open(IPHONE_SAFARI, -5).reason()).as("before sent_at was written").contains(Reason.OPENED_ON_DELIVERY);
        assertThat(open(IPHONE_SAFARI, 2).machine()).isFalse();
        assertThat(click("GET", IPHONE_SAFARI, 1, 0).reason()).contains(Reason.CLICKED_ON_DELIVERY);
        assertThat(click("GET", IPHONE_SAFARI, 2, 0).machine()).isFalse();
        assertThat(MachineEventRule.classify(new Observation(EventKind.OPEN, "GET", Optional.of(IPHONE_SAFARI),
                SENT.plusSeconds(1), Optional.empty(), 0)).machine()).as("send unknown: no timing rule").isFalse();
    }

    @Test
    void headRequestsBurstsAndRobotsAreScanners() {
        assertThat(click("HEAD", IPHONE_SAFARI, 600, 0).reason()).contains(Reason.HEAD_REQUEST);
        assertThat(click("GET", IPHONE_SAFARI, 600, 1).machine()).as("two clicks in a second").isFalse();
        assertThat(click("GET", IPHONE_SAFARI, 600, 2).reason()).contains(Reason.CLICK_BURST);
        assertThat(click("GET", "curl/8.5.0", 600, 0).reason()).contains(Reason.ROBOT_USER_AGENT);
        assertThat(click("GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 600, 0)
                .reason()).contains(Reason.ROBOT_USER_AGENT);
        assertThat(click("GET", "", 600, 0).reason()).contains(Reason.NO_USER_AGENT);
    }

    @Test
    void appleAddressesAreRecognisedWithoutLookingAnythingUp() {
        assertThat(MachineEventRule.isAppleAddress("17.58.101.4")).isTrue();
        assertThat(MachineEventRule.isAppleAddress("170.1.2.3")).isFalse();
        assertThat(MachineEventRule.isAppleAddress("17.example.com")).isFalse();
    }

    @Test
    void anEventSerialisesEveryFieldAndEscapesWhatItMust() {
        EmailEvent event = new EmailEvent("e-1", EmailEvent.Kind.CLICK, ShopId.of("a-shop.myshopify.com"), 42,
                SENT.plusSeconds(60), Optional.of("https://shop.example/p?a=1&b=\"2\""), "GET",
                Optional.of("UA \\ with\nnewline"), Optional.of("203.0.113.9"), Optional.of(Reason.CLICK_BURST),
                Optional.of(SENT));

        assertThat(event.toJson()).isEqualTo("{\"event_id\":\"e-1\",\"kind\":\"click\",\"shop\":\"a-shop.myshopify.com\","
                + "\"send_id\":42,\"occurred_at\":\"2026-11-24T10:01:00Z\","
                + "\"url\":\"https://shop.example/p?a=1&b=\\\"2\\\"\",\"method\":\"GET\","
                + "\"user_agent\":\"UA \\\\ with\\nnewline\",\"ip\":\"203.0.113.9\",\"machine\":true,"
                + "\"machine_reason\":\"click_burst\",\"sent_at\":\"2026-11-24T10:00:00Z\"}");
        assertThat(EmailEvent.Kind.UNSUBSCRIBE.topic()).isEqualTo("email/unsubscribe");
        assertThat(new EmailEvent("e", EmailEvent.Kind.OPEN, ShopId.of("a-shop.myshopify.com"), 1, SENT,
                Optional.empty(), "GET", Optional.of("x".repeat(2000)), Optional.empty(), Optional.empty(),
                Optional.empty()).userAgent().orElseThrow()).hasSize(EmailEvent.MAX_USER_AGENT);
    }

    private static MachineEventRule.Verdict open(String userAgent, long secondsAfterSend) {
        return MachineEventRule.classify(new Observation(EventKind.OPEN, "GET", Optional.ofNullable(userAgent),
                SENT.plusSeconds(secondsAfterSend), Optional.of(SENT), 0));
    }

    private static MachineEventRule.Verdict click(String method, String userAgent, long secondsAfterSend,
                                                  int earlierClicks) {
        return MachineEventRule.classify(new Observation(EventKind.CLICK, method, Optional.ofNullable(userAgent),
                SENT.plusSeconds(secondsAfterSend), Optional.of(SENT), earlierClicks));
    }
}
