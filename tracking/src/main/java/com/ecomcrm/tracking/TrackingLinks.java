package com.ecomcrm.tracking;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ShopId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed tracking URLs: clicks ({@code /t/c/<token>}, redirect to the signed URL), the open pixel
 * ({@code /t/o/<token>}) and unsubscribe ({@code /u/<token>}, GET page and RFC 8058 one-click POST). A token is
 * {@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))}, the payload carrying the kind, shop, send id
 * and (for clicks) the target URL, so a click URL can only redirect where the email really linked (no open
 * redirect) and a token cannot be moved to another shop or send.
 *
 * <p>Key: {@code ECOMCRM_TRACKING_KEY} (at least 32 characters); for development {@link #DEV_KEY}. Base URL:
 * {@code ECOMCRM_PUBLIC_URL}, default {@code http://127.0.0.1:58080}. The api-server serves the three routes and
 * calls {@link #verify(String)} (package {@code com.ecomcrm.api.tracking}); the sender (module {@code jobs}) signs.
 * Both must run with the same key.
 */
public final class TrackingLinks {
    /** Development-only key (bin/dev-env); production keys come from the secret store. */
    public static final String DEV_KEY = "ecomcrm-development-only-tracking-key-0123456789";
    public static final String DEFAULT_PUBLIC_URL = "http://127.0.0.1:58080";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** What a token is for. */
    public enum Kind { CLICK, OPEN, UNSUBSCRIBE }

    /** A verified token. {@code url} is the click target, null for the other kinds. */
    public record Token(Kind kind, ShopId shop, long sendId, String url) {
    }

    private final SecretKeySpec key;
    private final String base;
    private final boolean developmentKey;
    /**
     * One initialised Mac per thread: Mac.getInstance and init cost more than the HMAC of a short token, and every
     * email signs about ten tokens and every tracking request verifies one. doFinal resets the Mac for the next use.
     */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    public TrackingLinks(String key, String publicBaseUrl) {
        requireNonNull(key, "key is null");
        if (key.length() < 32) {
            throw new IllegalArgumentException("ECOMCRM_TRACKING_KEY must be at least 32 characters");
        }
        this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.developmentKey = key.equals(DEV_KEY);
        String b = URI.create(requireNonNull(publicBaseUrl, "publicBaseUrl is null")).toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    public static TrackingLinks fromEnv(Map<String, String> env) {
        return new TrackingLinks(env.getOrDefault("ECOMCRM_TRACKING_KEY", DEV_KEY),
                env.getOrDefault("ECOMCRM_PUBLIC_URL", DEFAULT_PUBLIC_URL));
    }

    /**
     * True when signing with the published {@link #DEV_KEY}: anyone can then forge tokens (and unsubscribe anyone), so
     * a production start should at least warn loudly.
     */
    public boolean usesDevelopmentKey() {
        return developmentKey;
    }

    public String clickUrl(ShopId shop, long sendId, String url) {
        return base + "/t/c/" + sign(Kind.CLICK, shop, sendId, requireNonNull(url, "url is null"));
    }

    public String openPixelUrl(ShopId shop, long sendId) {
        return base + "/t/o/" + sign(Kind.OPEN, shop, sendId, "");
    }

    public String unsubscribeUrl(ShopId shop, long sendId) {
        return base + "/u/" + sign(Kind.UNSUBSCRIBE, shop, sendId, "");
    }

    /** The token alone, for the mailto form of List-Unsubscribe. */
    public String unsubscribeToken(ShopId shop, long sendId) {
        return sign(Kind.UNSUBSCRIBE, shop, sendId, "");
    }

    /**
     * Rewrites every absolute http(s) link of {@code <a href>} to a signed click URL (links already pointing at the
     * tracking base, such as the unsubscribe link, are left alone) and adds the open pixel before {@code </body>}.
     */
    public String rewriteHtml(ShopId shop, long sendId, String html) {
        // One forward scan (HtmlLinks), not a regex with a lazy group retried at every character of every tag.
        String prefix = base + "/";
        StringBuilder out = new StringBuilder(HtmlLinks.rewrite(html, href -> href.startsWith(prefix) ? href
                : clickUrl(shop, sendId, href.replace("&amp;", "&"))));
        String pixel = "<img src=\"" + openPixelUrl(shop, sendId)
                + "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px\">";
        int end = HtmlLinks.bodyEnd(out);
        if (end >= 0) {
            out.insert(end, pixel);
        }
        else {
            out.append(pixel);
        }
        return out.toString();
    }

    /** The token's content if its signature is right; empty for anything forged, altered or malformed. */
    public Optional<Token> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        try {
            byte[] payload = B64D.decode(token.substring(0, dot));
            byte[] signature = B64D.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac(payload), signature)) {
                return Optional.empty();
            }
            String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", 5);
            if (parts.length != 5 || !parts[0].equals("1")) {
                return Optional.empty();
            }
            Kind kind = Kind.valueOf(parts[1]);
            return Optional.of(new Token(kind, ShopId.of(parts[2]), Long.parseLong(parts[3]),
                    kind == Kind.CLICK ? parts[4] : null));
        }
        catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String sign(Kind kind, ShopId shop, long sendId, String url) {
        byte[] payload = ("1\n" + kind.name() + "\n" + shop.domain() + "\n" + sendId + "\n" + url)
                .getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(payload) + "." + B64.encodeToString(mac(payload));
    }

    private byte[] mac(byte[] payload) {
        return macs.get().doFinal(payload);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
