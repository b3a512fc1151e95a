package com.ecomcrm.tracking;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether an open or a click was made by a machine (a mail privacy proxy prefetching images, a link scanner
 * following every link) rather than by the recipient. Machine events are flagged, never dropped: they are stored
 * with {@code machine = true} and a {@link Reason}, and reported separately from human ones.
 *
 * <p>The rule, first match wins (the same text is in {@code tracking/README.md}):
 *
 * <p><b>Opens</b>
 * <ol>
 *   <li>No User-Agent at all: {@link Reason#NO_USER_AGENT}. Every mail client sends one.</li>
 *   <li>User-Agent contains {@code GoogleImageProxy}: {@link Reason#GMAIL_IMAGE_PROXY}. Gmail fetches every remote
 *       image through its proxy ({@code ... (via ggpht.com GoogleImageProxy)}) and caches it, so the request carries
 *       neither the reader's device nor a reliable time, and later opens of the same message are never seen. Gmail
 *       usually fetches when the message is displayed, so many of these are real opens; they are flagged because the
 *       open cannot be attributed to a person, and the reason code lets a report count them as "proxied" if wanted.</li>
 *   <li>User-Agent contains {@code YahooMailProxy}: {@link Reason#YAHOO_MAIL_PROXY}, same reasoning.</li>
 *   <li>User-Agent is exactly {@code Mozilla/5.0} (nothing else): {@link Reason#APPLE_MAIL_PRIVACY_PROTECTION}. Apple
 *       Mail Privacy Protection (iOS 15 / macOS 12 and later) downloads all remote content, pixel included, through
 *       Apple's relays when the message reaches the device, whether or not it is ever read. Senders report these
 *       requests carry the bare {@code Mozilla/5.0} User-Agent and come from Apple relay addresses; no real browser
 *       or mail client sends a bare {@code Mozilla/5.0}. What we verified: Apple owns 17.0.0.0/8, so
 *       {@link #isAppleAddress(String)} reports it (kept with the event as {@code apple_ip}), but the rule does not
 *       depend on the address, because the relays also egress through partner CDNs whose ranges change.</li>
 *   <li>The open came less than {@link #OPEN_TOO_SOON} after the send was handed to the mail server (sends.sent_at):
 *       {@link Reason#OPENED_ON_DELIVERY}. No person opens a message that fast; a proxy or security gateway
 *       prefetching on delivery does.</li>
 *   <li>User-Agent is an HTTP library or a self-declared robot ({@link #isRobotUserAgent(String)}):
 *       {@link Reason#ROBOT_USER_AGENT}.</li>
 * </ol>
 *
 * <p><b>Clicks</b>
 * <ol>
 *   <li>A {@code HEAD} request: {@link Reason#HEAD_REQUEST}. Browsers follow links with GET; link checkers and URL
 *       reputation scanners probe with HEAD. (The redirect is still answered.)</li>
 *   <li>No User-Agent: {@link Reason#NO_USER_AGENT}.</li>
 *   <li>Less than {@link #CLICK_TOO_SOON} after the send: {@link Reason#CLICKED_ON_DELIVERY}. Security gateways
 *       (Microsoft Defender Safe Links, Mimecast, Proofpoint and the like) follow links as the message arrives.</li>
 *   <li>At least {@link #BURST_CLICKS} clicks of the same send (this one included) within {@link #BURST_WINDOW}:
 *       {@link Reason#CLICK_BURST}. A person clicks one link at a time; a scanner opens them all at once. The earlier
 *       clicks of the burst are flagged too, once the burst is recognised.</li>
 *   <li>User-Agent is an HTTP library or a self-declared robot: {@link Reason#ROBOT_USER_AGENT}.</li>
 * </ol>
 *
 * <p>Unsubscribes are never classified: the GET only shows a page, and only the POST (from the recipient's form or
 * their mailbox provider's RFC 8058 one-click button) acts.
 */
public final class MachineEventRule {
    /** An open less than this after the send is a prefetch on delivery. */
    public static final Duration OPEN_TOO_SOON = Duration.ofSeconds(2);
    /** A click less than this after the send is a scanner following links on delivery. */
    public static final Duration CLICK_TOO_SOON = Duration.ofSeconds(2);
    /** Clicks of one send within {@link #BURST_WINDOW}, from which on they count as a scanner. */
    public static final int BURST_CLICKS = 3;
    public static final Duration BURST_WINDOW = Duration.ofSeconds(1);

    /** Why an event was flagged as a machine's. The wire value ({@link #code()}) is stored and landed. */
    public enum Reason {
        NO_USER_AGENT,
        GMAIL_IMAGE_PROXY,
        YAHOO_MAIL_PROXY,
        APPLE_MAIL_PRIVACY_PROTECTION,
        OPENED_ON_DELIVERY,
        HEAD_REQUEST,
        CLICKED_ON_DELIVERY,
        CLICK_BURST,
        ROBOT_USER_AGENT;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Kinds of event the rule looks at. */
    public enum EventKind { OPEN, CLICK }

    /**
     * What is known of one request when it arrives.
     *
     * @param method            the HTTP method ({@code GET}, {@code HEAD})
     * @param userAgent         the User-Agent header, if any
     * @param occurredAt        when the request arrived
     * @param sentAt            when the send was handed to the mail server (sends.sent_at), if known
     * @param clicksInBurstWindow clicks of the same send seen in the {@link #BURST_WINDOW} before this one (opens: 0)
     */
    public record Observation(EventKind kind, String method, Optional<String> userAgent, Instant occurredAt,
                              Optional<Instant> sentAt, int clicksInBurstWindow) {
        public Observation {
            requireNonNull(kind, "kind is null");
            requireNonNull(method, "method is null");
            requireNonNull(userAgent, "userAgent is null");
            requireNonNull(occurredAt, "occurredAt is null");
            requireNonNull(sentAt, "sentAt is null");
        }
    }

    /** The decision: human ({@code reason} empty) or machine, and why. */
    public record Verdict(Optional<Reason> reason) {
        public static final Verdict HUMAN = new Verdict(Optional.empty());

        public Verdict {
            requireNonNull(reason, "reason is null");
        }

        public static Verdict machine(Reason reason) {
            return new Verdict(Optional.of(reason));
        }

        public boolean machine() {
            return reason.isPresent();
        }
    }

    private MachineEventRule() {
    }

    public static Verdict classify(Observation o) {
        String ua = o.userAgent().map(String::strip).orElse("");
        return switch (o.kind()) {
            case OPEN -> classifyOpen(o, ua);
            case CLICK -> classifyClick(o, ua);
        };
    }

    private static Verdict classifyOpen(Observation o, String ua) {
        if (ua.isEmpty()) {
            return Verdict.machine(Reason.NO_USER_AGENT);
        }
        if (ua.contains("GoogleImageProxy")) {
            return Verdict.machine(Reason.GMAIL_IMAGE_PROXY);
        }
        if (ua.contains("YahooMailProxy")) {
            return Verdict.machine(Reason.YAHOO_MAIL_PROXY);
        }
        if (ua.equals("Mozilla/5.0")) {
            return Verdict.machine(Reason.APPLE_MAIL_PRIVACY_PROTECTION);
        }
        if (within(o, OPEN_TOO_SOON)) {
            return Verdict.machine(Reason.OPENED_ON_DELIVERY);
        }
        if (isRobotUserAgent(ua)) {
            return Verdict.machine(Reason.ROBOT_USER_AGENT);
        }
        return Verdict.HUMAN;
    }

    private static Verdict classifyClick(Observation o, String ua) {
        if (o.method().equalsIgnoreCase("HEAD")) {
            return Verdict.machine(Reason.HEAD_REQUEST);
        }
        if (ua.isEmpty()) {
            return Verdict.machine(Reason.NO_USER_AGENT);
        }
        if (within(o, CLICK_TOO_SOON)) {
            return Verdict.machine(Reason.CLICKED_ON_DELIVERY);
        }
        if (o.clicksInBurstWindow() + 1 >= BURST_CLICKS) {
            return Verdict.machine(Reason.CLICK_BURST);
        }
        if (isRobotUserAgent(ua)) {
            return Verdict.machine(Reason.ROBOT_USER_AGENT);
        }
        return Verdict.HUMAN;
    }

    /**
     * True when the event came less than {@code window} after the send. An event before sent_at also counts: sent_at
     * is written only after the mail server accepted the message, and a prefetch on delivery can beat that write.
     */
    private static boolean within(Observation o, Duration window) {
        return o.sentAt().isPresent()
                && Duration.between(o.sentAt().get(), o.occurredAt()).compareTo(window) < 0;
    }

    /**
     * HTTP libraries and self-declared robots: {@code curl/}, {@code Wget/}, {@code python-requests/},
     * {@code Python-urllib/}, {@code Go-http-client/}, {@code okhttp/}, {@code Java/}, {@code libwww-perl/},
     * {@code axios/}, {@code node-fetch}; and self-declared robots: {@code bot/} or {@code bot-} ({@code Googlebot/2.1},
     * {@code Slackbot-LinkExpanding}), {@code crawler}, {@code spider}, or a {@code +http} contact URL, all
     * case-insensitive. A device name merely ending in "bot" (the CUBOT phones) is not a robot. Scanners that pretend
     * to be a browser are caught by the timing rules instead.
     */
    public static boolean isRobotUserAgent(String userAgent) {
        String ua = userAgent.toLowerCase(Locale.ROOT);
        for (String library : new String[] {"curl/", "wget/", "python-requests/", "python-urllib/", "go-http-client/",
                "okhttp/", "java/", "libwww-perl/", "axios/", "node-fetch"}) {
            if (ua.startsWith(library)) {
                return true;
            }
        }
        return ua.contains("bot/") || ua.contains("bot-") || ua.contains("crawler") || ua.contains("spider")
                || ua.contains("+http");
    }

    /** True for an IPv4 address in 17.0.0.0/8, Apple's own block. */
    public static boolean isAppleAddress(String ip) {
        return ip != null && ip.startsWith("17.") && ip.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }
}
