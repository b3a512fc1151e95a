package com.ecomcrm.api.isolation;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;

/**
 * A DNS resolver on loopback that answers every question with NXDOMAIN at once, so sender-domain verification
 * finishes quickly ("not found yet") instead of waiting out a timeout on each attack.
 */
final class NxDomainResolver implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;

    NxDomainResolver() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "isolation-nxdomain");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                if (query.getLength() < 12) {
                    continue;
                }
                int end = 12;
                while (end < query.getLength() && buffer[end] != 0) {
                    end += (buffer[end] & 0xff) + 1;
                }
                end += 5;  // the root label, QTYPE and QCLASS
                if (end > query.getLength()) {
                    continue;
                }
                // The header and the question only: an EDNS record of the query is not echoed.
                byte[] answer = java.util.Arrays.copyOf(buffer, end);
                answer[2] = (byte) (0x80 | (answer[2] & 0x79));  // QR=1, keep opcode and RD
                answer[3] = (byte) 0x83;                            // RA=1, RCODE=3 (NXDOMAIN)
                for (int i = 6; i < 12; i++) {
                    answer[i] = 0;                                  // no answer, authority or additional records
                }
                socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
            }
            catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
