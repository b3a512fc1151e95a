package com.ecomcrm.api.settings;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The four DNS records a merchant adds for a sender domain, and their check against DNS:
 * <ul>
 *   <li>DKIM: TXT at {@code <selector>._domainkey.<domain>}, {@code v=DKIM1; k=rsa; p=<public key>}: found when a
 *   TXT there carries this public key;</li>
 *   <li>SPF: TXT at {@code <domain>}, {@code v=spf1 include:<spf include> ~all}: found when the domain's SPF record
 *   (a merchant has only one) includes ours, whatever else it holds;</li>
 *   <li>DMARC: TXT at {@code _dmarc.<domain>}, {@code v=DMARC1; p=none}: found when any DMARC policy is published
 *   (a merchant's stricter policy is theirs to keep);</li>
 *   <li>return path: CNAME {@code bounces.<domain>} to the app's bounce host.</li>
 * </ul>
 * Status per record: {@code PENDING} (not checked yet), {@code VERIFIED}, {@code MISSING}, {@code MISMATCH} (a
 * record is there but not the one asked for).
 */
public final class SenderDomainRecords {
    /** One record as the dashboard shows it. */
    public record DnsRecord(String type, String host, String value, String status) {
        public DnsRecord {
            requireNonNull(type, "type is null");
            requireNonNull(host, "host is null");
            requireNonNull(value, "value is null");
            requireNonNull(status, "status is null");
        }

        public JsonObject json() {
            return new JsonObject().put("type", type).put("host", host).put("value", value).put("status", status);
        }

        DnsRecord withStatus(String newStatus) {
            return new DnsRecord(type, host, value, newStatus);
        }
    }

    private SenderDomainRecords() {
    }

    /** The records to add, each PENDING. */
    public static List<DnsRecord> expected(String domain, String selector, String publicKey,
                                           SenderDomainSettings settings) {
        return List.of(
                new DnsRecord("TXT", selector + "._domainkey." + domain, "v=DKIM1; k=rsa; p=" + publicKey, "PENDING"),
                new DnsRecord("TXT", domain, "v=spf1 include:" + settings.spfInclude() + " ~all", "PENDING"),
                new DnsRecord("TXT", "_dmarc." + domain, "v=DMARC1; p=none", "PENDING"),
                new DnsRecord("CNAME", "bounces." + domain, settings.returnPathTarget(), "PENDING"));
    }

    /** Looks each record up; blocking. */
    public static List<DnsRecord> check(List<DnsRecord> expected, DnsLookup dns, String publicKey,
                                        SenderDomainSettings settings) {
        List<DnsRecord> checked = new ArrayList<>();
        checked.add(checkTxt(expected.get(0), dns, v -> v.replaceAll("\\s", "").contains("p=" + publicKey),
                v -> v.replaceAll("\\s", "").toLowerCase(Locale.ROOT).startsWith("v=dkim1")));
        checked.add(checkTxt(expected.get(1), dns,
                v -> v.toLowerCase(Locale.ROOT).startsWith("v=spf1") && List.of(v.toLowerCase(Locale.ROOT)
                        .split("\\s+")).contains("include:" + settings.spfInclude().toLowerCase(Locale.ROOT)),
                v -> v.toLowerCase(Locale.ROOT).startsWith("v=spf1")));
        checked.add(checkTxt(expected.get(2), dns, v -> v.replaceAll("\\s", "").toUpperCase(Locale.ROOT)
                .startsWith("V=DMARC1;"), v -> false));
        DnsRecord returnPath = expected.get(3);
        Optional<String> target = dns.cname(returnPath.host());
        checked.add(returnPath.withStatus(target.isEmpty() ? "MISSING"
                : target.get().equals(settings.returnPathTarget().toLowerCase(Locale.ROOT)) ? "VERIFIED" : "MISMATCH"));
        return checked;
    }

    public static boolean allVerified(List<DnsRecord> records) {
        return !records.isEmpty() && records.stream().allMatch(r -> r.status().equals("VERIFIED"));
    }

    public static JsonArray json(List<DnsRecord> records) {
        return new JsonArray(records.stream().map(DnsRecord::json).toList());
    }

    public static List<DnsRecord> fromJson(JsonArray array) {
        List<DnsRecord> records = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonObject r = array.getJsonObject(i);
            records.add(new DnsRecord(r.getString("type"), r.getString("host"), r.getString("value"),
                    r.getString("status")));
        }
        return records;
    }

    private static DnsRecord checkTxt(DnsRecord record, DnsLookup dns, java.util.function.Predicate<String> matches,
                                      java.util.function.Predicate<String> sameKind) {
        List<String> values = dns.txt(record.host());
        if (values.stream().anyMatch(matches)) {
            return record.withStatus("VERIFIED");
        }
        return record.withStatus(values.stream().anyMatch(sameKind) ? "MISMATCH" : "MISSING");
    }
}
