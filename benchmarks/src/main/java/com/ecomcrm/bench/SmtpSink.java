package com.ecomcrm.bench;

import static java.util.Objects.requireNonNull;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The send benchmark's SMTP sink: Postfix's {@code smtp-sink}, the test server Postfix ships for measuring SMTP
 * clients (C, one event loop), unpacked from Debian's postfix package by {@code bin/smtp-sink-env}. It runs in a
 * process of its own, so the benchmark JVM's CPU is the sender's alone; the sink's own CPU is read from {@code /proc}
 * and reported apart. With {@code -d} it writes each message it accepts to a file of its own, closed before the 250
 * reply to the final dot (smtp-sink.c: {@code mail_file_finish} runs before {@code dot_response}), so every message
 * the sender saw accepted is on disk; the files are parsed here after the clock stopped ({@link #readMessages}).
 *
 * <p>Before this, the sink was aiosmtpd (Python), and before that GreenMail in the benchmark JVM: both cost the
 * shared two cores more CPU per message than the sender being measured spent on some of its own steps.
 */
final class SmtpSink implements AutoCloseable {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private static final Pattern COUNTER = Pattern.compile("mesg=(\\d+)");
    /** The lines smtp-sink writes before the message itself (its envelope record), in its dump format. */
    private static final List<String> ENVELOPE_PREFIXES = List.of("X-Client-Addr: ", "X-Client-Proto: ",
            "X-Helo-Args: ", "X-Mail-Args: ", "X-Rcpt-Args: ");

    private final Process process;
    private final Path spool;
    private final int port;
    private final String version;
    private boolean stopped;

    private SmtpSink(Process process, Path spool, int port, String version) {
        this.process = process;
        this.spool = spool;
        this.port = port;
        this.version = version;
    }

    /**
     * Starts a sink writing one file per message into the directory {@code spool} (emptied first) on loopback
     * {@code port} (0: a free port). {@code root} is the repository, whose {@code bin/smtp-sink-env} fetches the
     * program the first time.
     */
    static SmtpSink start(Path root, Path spool, int port) throws IOException, InterruptedException {
        requireNonNull(root, "root is null");
        Path postfix = postfix(root);
        emptyDirectory(spool);
        IOException lastFailure = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int chosen = port != 0 ? port : freePort();
            List<String> command = new ArrayList<>(List.of(postfix.resolve("usr/sbin/smtp-sink").toString(), "-c"));
            if ("root".equals(System.getProperty("user.name"))) {
                // smtp-sink refuses to run as the super-user unless told whose privileges to take after binding:
                // keep ours, so it can write where we can (a JUnit temporary directory is ours alone).
                command.addAll(List.of("-u", "root"));
            }
            // One file per message: <spool>/m.<8 random hex digits>, created with O_EXCL (another name on a clash).
            command.addAll(List.of("-d", spool.resolve("m.").toString(), "127.0.0.1:" + chosen, "256"));
            // Its counter goes to a file: a pipe nobody reads until the end would fill and block its event loop.
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(counterFile(spool).toFile());
            builder.environment().put("LD_LIBRARY_PATH", postfix.resolve("usr/lib/postfix").toString());
            Process process = builder.start();
            if (awaitListening(process, chosen)) {
                return new SmtpSink(process, spool, chosen,
                        Files.readString(postfix.resolve(".ecomcrm-postfix-version")).strip());
            }
            process.destroyForcibly();
            lastFailure = new IOException("smtp-sink did not listen on 127.0.0.1:" + chosen + " (exit "
                    + (process.isAlive() ? "none" : Integer.toString(process.exitValue())) + ")");
            if (port != 0) {
                break;
            }
        }
        throw new IllegalStateException("The SMTP sink did not start", lastFailure);
    }

    private static Path postfix(Path root) throws IOException, InterruptedException {
        Process env = new ProcessBuilder(root.resolve("bin/smtp-sink-env").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String dir = new String(env.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (env.waitFor() != 0 || dir.isEmpty()) {
            throw new IllegalStateException("Cannot start the SMTP sink: bin/smtp-sink-env failed");
        }
        return Path.of(dir);
    }

    private static void emptyDirectory(Path spool) throws IOException {
        if (Files.isDirectory(spool)) {
            try (Stream<Path> files = Files.list(spool)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
        }
        else {
            Files.deleteIfExists(spool);
            Files.createDirectories(spool);
        }
    }

    /** Beside the spool directory, so the spool holds messages only. */
    private static Path counterFile(Path spool) {
        return spool.resolveSibling(spool.getFileName() + ".counter");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Whether the sink accepts connections within 10 s (false as soon as it exits, e.g. the port was taken). */
    private static boolean awaitListening(Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            }
            catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    int port() {
        return port;
    }

    /** The Debian version of the postfix package the program came from. */
    String version() {
        return version;
    }

    /** CPU the running sink has used so far (user + system), from {@code /proc/<pid>/stat}, in 10 ms ticks. */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
        }
        catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot read the SMTP sink's CPU time from /proc: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the sink (SIGTERM; every accepted message's file was closed before its 250 reply) and returns how many
     * messages it accepted by its own count (the last {@code mesg=N} of its {@code -c} counter, 0 when it never
     * printed one).
     */
    long stop() throws IOException, InterruptedException {
        stopped = true;
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("The SMTP sink did not stop within 30 s");
        }
        String counter = Files.readString(counterFile(spool), StandardCharsets.US_ASCII);
        long accepted = 0;
        Matcher m = COUNTER.matcher(counter);
        while (m.find()) {
            accepted = Long.parseLong(m.group(1));
        }
        int exit = process.exitValue();
        if (exit != 0 && exit != 128 + 15) { // ended by our SIGTERM, or on its own without an error
            throw new IllegalStateException("The SMTP sink ended badly (exit " + exit + ")");
        }
        return accepted;
    }

    /** Every message the sink wrote, in the order of its file names (random, not the order of acceptance). */
    void readMessages(Consumer<MimeMessage> each) {
        Session session = Session.getInstance(new Properties());
        try (Stream<Path> files = Files.list(spool)) {
            for (Path file : files.sorted(Comparator.comparing(Path::toString)).toList()) {
                byte[] message = message(Files.readAllBytes(file), file);
                each.accept(new MimeMessage(session, new ByteArrayInputStream(message)));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException("The sink received a message that does not parse: " + e.getMessage(), e);
        }
    }

    /** The spool's messages as parsed messages (tests and small runs). */
    List<MimeMessage> messages() {
        List<MimeMessage> all = new ArrayList<>();
        readMessages(all::add);
        return all;
    }

    /**
     * The message as the sender wrote it, from smtp-sink's dump of it: its envelope lines ({@code X-Client-Addr},
     * ... {@code X-Rcpt-Args}) dropped, the {@code Received} header it adds kept (a trace header any MTA adds), the
     * dot-stuffing already undone by the sink, its line ends (it drops every CR) made CRLF again, and the newline it
     * writes for the final dot removed.
     */
    static byte[] message(byte[] dump, Path file) {
        int start = 0;
        while (start < dump.length && startsWithEnvelopeLine(dump, start)) {
            int end = indexOf(dump, (byte) '\n', start);
            if (end < 0) {
                throw new IllegalStateException("The sink's file " + file + " ends inside its envelope lines");
            }
            start = end + 1;
        }
        int end = dump.length;
        if (end <= start || dump[end - 1] != '\n') {
            throw new IllegalStateException("The sink's file " + file + " does not end with the final dot's newline");
        }
        end--;
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start + (end - start) / 32);
        for (int i = start; i < end; i++) {
            if (dump[i] == '\n') {
                out.write('\r');
            }
            out.write(dump[i]);
        }
        return out.toByteArray();
    }

    private static boolean startsWithEnvelopeLine(byte[] dump, int at) {
        for (String prefix : ENVELOPE_PREFIXES) {
            byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
            if (at + p.length <= dump.length && java.util.Arrays.equals(dump, at, at + p.length, p, 0, p.length)) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!stopped) {
            stop();
        }
    }
}
