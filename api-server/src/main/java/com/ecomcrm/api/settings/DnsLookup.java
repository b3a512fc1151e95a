package com.ecomcrm.api.settings;

import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * DNS look-ups for sender-domain verification with dnsjava, against one resolver: {@code ECOMCRM_DNS_RESOLVER}
 * ({@code host:port}) when set, else the system's first name server. Each question goes straight to the resolver
 * (no cache in this process), so a record the merchant just added is seen as soon as the resolver sees it.
 * Blocking: call it off the event loop.
 */
public final class DnsLookup {
    private final SimpleResolver resolver;

    /** @param resolver the resolver to ask; empty for the system's */
    public DnsLookup(Optional<InetSocketAddress> resolver, Duration timeout) {
        try {
            this.resolver = resolver.isPresent() ? new SimpleResolver(resolver.get()) : new SimpleResolver();
        }
        catch (UnknownHostException e) {
            throw new IllegalArgumentException("Cannot use the DNS resolver: " + e.getMessage(), e);
        }
        this.resolver.setTimeout(timeout);
    }

    /** The TXT records at {@code host}, each one's strings joined (long DKIM keys are split into 255-byte strings). */
    public List<String> txt(String host) {
        List<String> values = new ArrayList<>();
        for (Record record : answers(host, Type.TXT)) {
            if (record instanceof TXTRecord txt) {
                values.add(String.join("", txt.getStrings()));
            }
        }
        return values;
    }

    /** The CNAME target of {@code host}, lower case without the final dot; empty when there is none. */
    public Optional<String> cname(String host) {
        for (Record record : answers(host, Type.CNAME)) {
            if (record instanceof CNAMERecord cname) {
                String target = cname.getTarget().toString(true).toLowerCase(Locale.ROOT);
                return Optional.of(target);
            }
        }
        return Optional.empty();
    }

    private List<Record> answers(String host, int type) {
        try {
            Message query = Message.newQuery(Record.newRecord(Name.fromString(host, Name.root), type, DClass.IN));
            Message response = resolver.send(query);
            int rcode = response.getRcode();
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                throw new UncheckedIOException(new IOException("DNS answered " + Rcode.string(rcode) + " for "
                        + host));
            }
            return response.getSection(Section.ANSWER);
        }
        catch (TextParseException e) {
            throw new IllegalArgumentException("Cannot look up " + host + ": not a domain name", e);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot look up " + host + ": " + e.getMessage(), e);
        }
    }
}
