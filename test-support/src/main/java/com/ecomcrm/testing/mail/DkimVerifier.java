package com.ecomcrm.testing.mail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies a received message's DKIM-Signature as a receiving server would (RFC 6376, relaxed/relaxed, rsa-sha256):
 * the body hash recomputed, b= checked with the domain's public key over the signed headers. Written here, not taken
 * from the signing library, so that a test of our signing does not trust the code it tests.
 */
public final class DkimVerifier {
    private DkimVerifier() {
    }

    /**
     * The tags of the message's DKIM-Signature once it verified; throws AssertionError when it does not.
     *
     * @param wire the message as sent over SMTP (headers, blank line, body; CRLF line ends)
     */
    public static Map<String, String> verify(byte[] wire, PublicKey publicKey) throws Exception {
        String message = new String(wire, StandardCharsets.ISO_8859_1);
        int split = message.indexOf("\r\n\r\n");
        List<String> headers = unfold(message.substring(0, split + 2));
        String body = message.substring(split + 4);
        String dkimHeader = headers.stream().filter(h -> h.regionMatches(true, 0, "DKIM-Signature:", 0, 15))
                .findFirst().orElseThrow(() -> new AssertionError("no DKIM-Signature header"));
        Map<String, String> tags = tags(dkimHeader.substring(dkimHeader.indexOf(':') + 1));
        // bh= recomputed here: SHA-256 of the relaxed-canonicalized body (RFC 6376 3.4.4).
        String bh = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(relaxedBody(body).getBytes(StandardCharsets.ISO_8859_1)));
        if (!bh.equals(tags.get("bh"))) {
            throw new AssertionError("body hash differs: " + tags.get("bh") + " vs " + bh);
        }
        // b= verified with the public key over the relaxed-canonicalized signed headers (RFC 6376 3.7, 3.4.2).
        StringBuilder signedData = new StringBuilder();
        List<String> available = new ArrayList<>(headers);
        for (String name : tags.get("h").toLowerCase(Locale.ROOT).split(":")) {
            for (int i = available.size() - 1; i >= 0; i--) { // bottom-up for repeated names
                String h = available.get(i);
                if (h.substring(0, h.indexOf(':')).strip().equalsIgnoreCase(name)) {
                    signedData.append(relaxedHeader(h)).append("\r\n");
                    available.remove(i);
                    break;
                }
            }
        }
        signedData.append(relaxedHeader(dkimHeader.replaceAll("(?<=[;:\\s])b=[^;]*", "b=")));
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey);
        verifier.update(signedData.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!verifier.verify(Base64.getDecoder().decode(tags.get("b").replaceAll("\\s", "")))) {
            throw new AssertionError("DKIM signature does not verify with the given public key");
        }
        return tags;
    }

    /** The tags of a DKIM-Signature header value ({@code v=1; a=rsa-sha256; d=...}), whitespace removed. */
    public static Map<String, String> tags(String value) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : value.replaceAll("\\s+", "").split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                tags.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return tags;
    }

    private static List<String> unfold(String block) {
        List<String> out = new ArrayList<>();
        for (String line : block.split("\r\n")) {
            if (!out.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
                out.set(out.size() - 1, out.get(out.size() - 1) + "\r\n" + line);
            }
            else if (!line.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }

    private static String relaxedHeader(String header) {
        int colon = header.indexOf(':');
        String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = header.substring(colon + 1).replace("\r\n", "").replaceAll("[ \\t]+", " ").strip();
        return name + ":" + value;
    }

    private static String relaxedBody(String body) {
        StringBuilder out = new StringBuilder();
        for (String line : body.split("\r\n", -1)) {
            out.append(line.replaceAll("[ \\t]+", " ").replaceAll(" $", "")).append("\r\n");
        }
        String s = out.toString();
        while (s.endsWith("\r\n\r\n")) {
            s = s.substring(0, s.length() - 2);
        }
        return s.equals("\r\n") ? "" : s;
    }
}
