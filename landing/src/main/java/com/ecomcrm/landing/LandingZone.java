package com.ecomcrm.landing;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.domain.ShopifyGid;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * Writes the landing zone. Landing is append-only: a webhook is appended to its shop's file of the day and forced to
 * disk before the caller answers Shopify; a bulk result is written to a temporary file and renamed into place only
 * when complete, so a reader never sees half of it.
 *
 * <p>Thread-safe. One instance per process: each instance writes its own webhook files (named by an instance id),
 * so several API servers can land into the same folders without sharing a file.
 *
 * <p>Webhook appends use group commit: a caller writes its line, then either finds that another caller's fsync
 * already covered it, or forces every file written since the last fsync itself. Under load one fsync makes many
 * deliveries durable at once, so intake is not capped at one delivery per disk flush; each caller still returns only
 * once its own line is on disk.
 */
public final class LandingZone implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_OPEN_FILES = 256;

    private final LandingLayout layout;
    private final Clock clock;
    private final String instanceId;
    /** Guards the open files, the files written but not yet forced, and the write counter. */
    private final Object writeLock = new Object();
    /** Held by the caller doing an fsync; waiters behind it usually find their line already durable. */
    private final Object syncLock = new Object();
    private final Map<Path, FileChannel> openWebhookFiles = new LinkedHashMap<>(16, 0.75f, true);
    private final Set<FileChannel> unforced = new LinkedHashSet<>();
    private long appended;
    private long durable;

    public LandingZone(LandingLayout layout, Clock clock) {
        this.layout = requireNonNull(layout, "layout is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.instanceId = UUID.randomUUID().toString().substring(0, 8);
    }

    public LandingLayout layout() {
        return layout;
    }

    /**
     * Appends one webhook envelope and forces it to disk. Returns the file it went to. When this returns, the delivery
     * survives a crash of this process and of the machine.
     */
    public Path appendWebhook(LandingEnvelope envelope) {
        if (envelope.source() != LandingSource.WEBHOOK) {
            throw new IllegalArgumentException("Cannot append a " + envelope.source() + " envelope as a webhook");
        }
        return appendDurably(envelope, "webhooks-");
    }

    /**
     * Appends one email tracking event (open, click, unsubscribe) and forces it to disk, in the same group commit as
     * webhooks, to {@code source=tracking/shop=…/date=…/tracking-<instance>.jsonl}. Returns the file.
     */
    public Path appendTracking(LandingEnvelope envelope) {
        if (envelope.source() != LandingSource.TRACKING) {
            throw new IllegalArgumentException("Cannot append a " + envelope.source() + " envelope as tracking");
        }
        return appendDurably(envelope, "tracking-");
    }

    /**
     * Appends several webhook envelopes and forces them to disk with one wait for the group commit: what the intake
     * does for a batch of deliveries. Returns each envelope's file, in order. When this returns, every one of them
     * survives a crash; when it throws, none of them may be counted as landed (some lines may be on disk: landing
     * twice is harmless, the ingest keeps one version per key).
     */
    public List<Path> appendWebhooks(List<LandingEnvelope> envelopes) {
        return appendAllDurably(envelopes, LandingSource.WEBHOOK, "webhooks-");
    }

    /**
     * Appends several email tracking events (opens, clicks) and forces them to disk with one wait for the group
     * commit: what the tracking intake does for a batch of requests. Same guarantees as {@link #appendWebhooks}.
     */
    public List<Path> appendTrackingEvents(List<LandingEnvelope> envelopes) {
        return appendAllDurably(envelopes, LandingSource.TRACKING, "tracking-");
    }

    /**
     * Appends objects read from the Admin API (in the shape of their webhook) and forces them to disk with one wait for
     * the group commit, to {@code source=admin_api/shop=…/date=…/admin-api-<instance>.jsonl}. Same guarantees as
     * {@link #appendWebhooks}: when this returns every line survives a crash; landing one twice is harmless.
     */
    public List<Path> appendAdminApi(List<LandingEnvelope> envelopes) {
        return appendAllDurably(envelopes, LandingSource.ADMIN_API, "admin-api-");
    }

    private List<Path> appendAllDurably(List<LandingEnvelope> envelopes, LandingSource source, String filePrefix) {
        for (LandingEnvelope envelope : envelopes) {
            if (envelope.source() != source) {
                throw new IllegalArgumentException("Cannot append a " + envelope.source() + " envelope as "
                        + source.folderValue());
            }
        }
        List<Path> files = new ArrayList<>(envelopes.size());
        List<byte[]> lines = new ArrayList<>(envelopes.size());
        for (LandingEnvelope envelope : envelopes) {
            files.add(fileFor(envelope, filePrefix));
            // Serialised outside the lock: it is the costly part, and callers run it in parallel.
            lines.add(line(envelope));
        }
        long ticket = 0;
        int index = 0;
        try {
            synchronized (writeLock) {
                for (; index < envelopes.size(); index++) {
                    ticket = write(files.get(index), lines.get(index));
                }
            }
            awaitDurable(ticket);
        }
        catch (IOException e) {
            LandingEnvelope failed = envelopes.get(Math.min(index, envelopes.size() - 1));
            throw new UncheckedIOException("Cannot land " + envelopes.size() + " " + source.folderValue()
                    + " lines (at " + failed.topic() + " for " + failed.shop() + "): " + e.getMessage(), e);
        }
        return files;
    }

    /** The file {@link #appendWebhook} and {@link #appendWebhooks} put this envelope in (known before it lands). */
    public Path webhookFile(LandingEnvelope envelope) {
        return fileFor(envelope, "webhooks-");
    }

    private Path fileFor(LandingEnvelope envelope, String filePrefix) {
        LocalDate date = LocalDate.ofInstant(envelope.receivedAt(), ZoneOffset.UTC);
        return layout.dateDirectory(envelope.source(), envelope.shop(), date)
                .resolve(filePrefix + instanceId + LandingLayout.FILE_SUFFIX);
    }

    private static byte[] line(LandingEnvelope envelope) {
        return envelope.toJsonLineBytes();
    }

    private Path appendDurably(LandingEnvelope envelope, String filePrefix) {
        Path file = fileFor(envelope, filePrefix);
        byte[] bytes = line(envelope);
        long ticket;
        try {
            synchronized (writeLock) {
                ticket = write(file, bytes);
            }
            awaitDurable(ticket);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot land " + envelope.source().folderValue() + " " + envelope.topic()
                    + " for " + envelope.shop() + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** Writes one line (not forced yet) and returns its ticket for {@link #awaitDurable}. Caller holds writeLock. */
    private long write(Path file, byte[] line) throws IOException {
        FileChannel channel = channelFor(file);
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        unforced.add(channel);
        return ++appended;
    }

    /**
     * Lands a bulk operation's JSONL result, line by line. Each line must be a JSON object with a Shopify GID
     * {@code id} (and, for nested nodes, a GID {@code __parentId}); other lines are refused and reported, and the rest
     * of the file still lands. Landing the same operation again replaces its file, so a retried download is harmless.
     */
    public BulkLandingResult landBulk(ShopId shop, String topic, String bulkOperationId, InputStream jsonl) {
        requireNonNull(shop, "shop is null");
        ShopifyGid operation = ShopifyGid.parse(bulkOperationId);
        LocalDate date = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        Path directory = layout.dateDirectory(LandingSource.BULK, shop, date);
        String name = "bulk-" + operation.id() + "-" + topic.replaceAll("[^a-z0-9]+", "_") + LandingLayout.FILE_SUFFIX;
        Path finished = directory.resolve(name);
        Path inProgress = directory.resolve(name + LandingLayout.IN_PROGRESS_SUFFIX);
        List<LandingReject> rejects = new ArrayList<>();
        long landed = 0;
        try {
            Files.createDirectories(directory);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(jsonl, StandardCharsets.UTF_8));
                 BufferedWriter writer = Files.newBufferedWriter(inProgress, StandardCharsets.UTF_8)) {
                long lineNumber = 0;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lineNumber++;
                    if (line.isBlank()) {
                        continue;
                    }
                    Optional<LandingReject> reject = checkBulkLine(lineNumber, line);
                    if (reject.isPresent()) {
                        rejects.add(reject.get());
                        continue;
                    }
                    writer.write(LandingEnvelope.bulkLine(shop, topic, operation.toString(), clock.instant(),
                            lineNumber, line).toJsonLine());
                    writer.write('\n');
                    landed++;
                }
            }
            try (FileChannel channel = FileChannel.open(inProgress, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(inProgress, finished, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot land bulk operation " + bulkOperationId + " for " + shop + ": "
                    + e.getMessage(), e);
        }
        return new BulkLandingResult(finished, landed, rejects);
    }

    static Optional<LandingReject> checkBulkLine(long lineNumber, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        }
        catch (JsonProcessingException e) {
            return Optional.of(new LandingReject(lineNumber, Optional.empty(),
                    "not valid JSON (" + e.getOriginalMessage() + ")"));
        }
        if (node == null || !node.isObject()) {
            return Optional.of(new LandingReject(lineNumber, Optional.empty(), "not a JSON object"));
        }
        for (String field : List.of("id", "__parentId")) {
            if (field.equals("__parentId") && !node.has(field)) {
                continue;
            }
            JsonNode value = node.get(field);
            if (value == null || !value.isTextual()) {
                return Optional.of(new LandingReject(lineNumber, Optional.of(field), "missing or not a string"));
            }
            try {
                ShopifyGid.parse(value.asText());
            }
            catch (DomainException e) {
                return Optional.of(new LandingReject(lineNumber, Optional.of(field), e.getMessage()));
            }
        }
        return Optional.empty();
    }

    /** Returns once every append up to {@code ticket} is on disk, forcing the files itself if nobody has yet. */
    private void awaitDurable(long ticket) throws IOException {
        synchronized (syncLock) {
            if (durable >= ticket) {
                return;
            }
            List<FileChannel> toForce;
            long upTo;
            synchronized (writeLock) {
                toForce = List.copyOf(unforced);
                unforced.clear();
                upTo = appended;
            }
            try {
                for (FileChannel channel : toForce) {
                    try {
                        channel.force(false);
                    }
                    catch (java.nio.channels.ClosedChannelException evicted) {
                        // Closed by eviction, which forced it first.
                    }
                }
            }
            catch (IOException e) {
                // Nothing of this batch counts as durable; the next caller forces these files again.
                synchronized (writeLock) {
                    unforced.addAll(toForce);
                }
                throw e;
            }
            durable = upTo;
        }
    }

    private FileChannel channelFor(Path file) throws IOException {
        FileChannel channel = openWebhookFiles.get(file);
        if (channel == null) {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            openWebhookFiles.put(file, channel);
            if (openWebhookFiles.size() > MAX_OPEN_FILES) {
                var eldest = openWebhookFiles.entrySet().iterator().next();
                // Its lines may not be forced yet: make them durable before letting go of the file.
                eldest.getValue().force(false);
                unforced.remove(eldest.getValue());
                eldest.getValue().close();
                openWebhookFiles.remove(eldest.getKey());
            }
        }
        return channel;
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            for (FileChannel channel : openWebhookFiles.values()) {
                try {
                    channel.close();
                }
                catch (IOException ignored) {
                    // Every append was already forced; a failed close loses nothing.
                }
            }
            openWebhookFiles.clear();
        }
    }
}
