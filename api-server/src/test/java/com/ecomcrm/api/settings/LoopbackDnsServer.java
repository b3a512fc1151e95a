package com.ecomcrm.api.settings;

import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny authoritative DNS server on a loopback UDP port for the tests (dnsjava parses and builds the messages; it
 * has no server of its own): answers TXT and CNAME questions from records the test sets, NXDOMAIN otherwise.
 */
final class LoopbackDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Map<String, List<Record>> records = new ConcurrentHashMap<>();
    private final Thread thread;

    LoopbackDnsServer() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "loopback-dns");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Adds a TXT record; values longer than 255 characters are split into strings, as DNS requires. */
    void txt(String host, String value) {
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < value.length(); i += 255) {
            strings.add(value.substring(i, Math.min(value.length(), i + 255)));
        }
        add(host, Type.TXT, new TXTRecord(name(host), DClass.IN, 300, strings));
    }

    void cname(String host, String target) {
        add(host, Type.CNAME, new CNAMERecord(name(host), DClass.IN, 300, name(target)));
    }

    void clear() {
        records.clear();
    }

    private void add(String host, int type, Record record) {
        records.computeIfAbsent(key(host, type), k -> new CopyOnWriteArrayList<>()).add(record);
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Record question = query.getQuestion();
                Message response = new Message(query.getHeader().getID());
                response.getHeader().setFlag(Flags.QR);
                response.getHeader().setFlag(Flags.AA);
                response.addRecord(question, Section.QUESTION);
                List<Record> answers = records.getOrDefault(key(question.getName().toString(true),
                        question.getType()), List.of());
                answers.forEach(answer -> response.addRecord(answer, Section.ANSWER));
                if (answers.isEmpty()) {
                    response.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                byte[] wire = response.toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            }
            catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private static String key(String host, int type) {
        String h = host.toLowerCase(Locale.ROOT);
        return (h.endsWith(".") ? h.substring(0, h.length() - 1) : h) + "|" + type;
    }

    private static Name name(String host) {
        try {
            return Name.fromString(host.endsWith(".") ? host : host + ".");
        }
        catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
