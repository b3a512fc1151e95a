package com.ecomcrm.bench;

import static java.util.Objects.requireNonNull;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The send benchmark's SMTP sink, in a process of its own ({@code bench/smtp-sink/sink.py}: aiosmtpd 1.4.6 in the
 * venv {@code bin/smtp-sink-env} builds), so the benchmark JVM's CPU is the sender's alone; the sink's own CPU is read
 * from {@code /proc} and reported apart. The sink only appends each message it accepts to a spool file, before its
 * 250 reply; the messages are parsed here after the clock stopped ({@link #readMessages}).
 */
final class SmtpSink implements AutoCloseable {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Process process;
    private final BufferedReader output;
    private final Path spool;
    private final int port;
    private boolean stopped;

    private SmtpSink(Process process, BufferedReader output, Path spool, int port) {
        this.process = process;
        this.output = output;
        this.spool = spool;
        this.port = port;
    }

    /**
     * Starts a sink writing to {@code spool} (replaced) on loopback {@code port} (0: any free port). {@code root} is
     * the repository, whose {@code bin/smtp-sink-env} creates the Python venv the first time.
     */
    static SmtpSink start(Path root, Path spool, int port) throws IOException, InterruptedException {
        requireNonNull(root, "root is null");
        Files.deleteIfExists(spool);
        Files.createDirectories(spool.toAbsolutePath().getParent());
        Process env = new ProcessBuilder(root.resolve("bin/smtp-sink-env").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String venv = new String(env.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (env.waitFor() != 0 || venv.isEmpty()) {
            throw new IllegalStateException("Cannot start the SMTP sink: bin/smtp-sink-env failed");
        }
        Process process = new ProcessBuilder(Path.of(venv, "bin", "python").toString(),
                root.resolve("bench/smtp-sink/sink.py").toString(), "--spool", spool.toString(),
                "--port", Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String first = output.readLine();
        if (first == null || !first.startsWith("LISTENING ")) {
            process.destroyForcibly();
            throw new IllegalStateException("The SMTP sink did not start (said: " + first + ")");
        }
        return new SmtpSink(process, output, spool, Integer.parseInt(first.substring("LISTENING ".length())));
    }

    int port() {
        return port;
    }

    /** CPU the sink process has used so far (user + system), from {@code /proc/<pid>/stat}. */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
        }
        catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Stops the sink (SIGTERM: it stops listening, flushes the spool and exits) and returns how many messages it
     * accepted by its own count.
     */
    long stop() throws IOException, InterruptedException {
        stopped = true;
        // SIGTERM through the handle: Process.destroy() would also close our end of its output, which says STOPPED.
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("The SMTP sink did not stop within 30 s");
        }
        String line;
        long accepted = -1;
        while ((line = output.readLine()) != null) {
            if (line.startsWith("STOPPED ")) {
                accepted = Long.parseLong(line.substring("STOPPED ".length()));
            }
        }
        if (process.exitValue() != 0 || accepted < 0) {
            throw new IllegalStateException("The SMTP sink ended badly (exit " + process.exitValue() + ")");
        }
        return accepted;
    }

    /** Every message in the spool, in the order the sink accepted them (after {@link #stop}). */
    void readMessages(Consumer<MimeMessage> each) {
        Session session = Session.getInstance(new Properties());
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(spool),
                1 << 20))) {
            while (true) {
                String header = readLine(in);
                if (header == null) {
                    return;
                }
                byte[] message = new byte[Integer.parseInt(header)];
                in.readFully(message);
                if (in.read() != '\n') {
                    throw new IllegalStateException("The sink's spool is corrupt after a message");
                }
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

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.length() == 0) {
                    return null;
                }
                throw new EOFException("The sink's spool ends inside a length line");
            }
            if (b == '\n') {
                return line.toString();
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!stopped) {
            stop();
        }
    }
}
