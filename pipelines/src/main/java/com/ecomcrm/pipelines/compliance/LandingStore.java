package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.landing.LandingLayout;
import com.ecomcrm.landing.LandingSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The landing zone ({@code source=*}/{@code shop=*}/{@code date=*}/{@code *.jsonl}). A customer is erased by
 * rewriting each of the shop's files that holds one of their lines without those lines: the new file is written
 * beside the old one, forced to disk and renamed over it, so a reader sees either the old or the new file, never
 * half of one. A shop is erased by deleting its folders.
 *
 * <p>The API server appends webhooks and tracking events to the current day's files and holds them open: renaming
 * over such a file would make its later appends land in the replaced file and be lost. So a customer's lines in a
 * day still being written (today, or the first minutes after midnight) make the erasure fail for now; the request
 * stays PENDING and the next run, after the day has closed, completes it. Consumers that keep a byte offset into a
 * landing file ({@code event_watermarks}) get their offsets moved to the same line of the rewritten file.
 */
final class LandingStore implements CustomerDataStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Appends of a day may still arrive this long after midnight (a delivery received at 23:59:59). */
    private static final Duration OPEN_GRACE = Duration.ofMinutes(10);

    /** A file rewritten without the customer's lines; {@code offsets} maps an old byte offset to the new one. */
    record Rewritten(Path relativePath, long linesRemoved, boolean deleted, LongUnaryOperator offsets) {
    }

    private final LandingLayout layout;
    private final Clock clock;
    private final List<Rewritten> rewritten = new ArrayList<>();

    LandingStore(LandingLayout layout, Clock clock) {
        this.layout = requireNonNull(layout, "layout is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public String name() {
        return "landing";
    }

    /** The files rewritten by the last {@link #eraseCustomer}, for the offsets other consumers keep. */
    List<Rewritten> lastRewritten() {
        return List.copyOf(rewritten);
    }

    @Override
    public void discoverOrders(CustomerMatch match) {
        for (Path file : shopFiles(match.shop())) {
            forEachLine(file, (line, envelope, body) -> {
                if (body != null && LandingLineMatcher.isCustomersOwn(match, envelope.topic(), body)) {
                    LandingLineMatcher.orderId(envelope.topic(), body).ifPresent(id -> match.addOrders(List.of(id)));
                }
            });
        }
    }

    @Override
    public ObjectNode export(CustomerMatch match) {
        ObjectNode out = JSON.createObjectNode();
        for (Path file : shopFiles(match.shop())) {
            ArrayNode lines = JSON.createArrayNode();
            forEachLine(file, (line, envelope, body) -> {
                if (body != null && LandingLineMatcher.matches(match, envelope.topic(), body)) {
                    ObjectNode entry = JSON.createObjectNode();
                    entry.put("topic", envelope.topic());
                    entry.put("received_at", envelope.receivedAt().toString());
                    entry.set("body", body);
                    lines.add(entry);
                }
            });
            if (!lines.isEmpty()) {
                out.set(layout.root().relativize(file).toString(), lines);
            }
        }
        return out;
    }

    @Override
    public Map<String, Long> eraseCustomer(CustomerMatch match) {
        rewritten.clear();
        Map<String, Long> counts = new TreeMap<>();
        LocalDate firstOpenDay = LocalDate.ofInstant(clock.instant().minus(OPEN_GRACE), ZoneOffset.UTC);
        List<Path> files = shopFiles(match.shop());
        for (Path file : files) {
            if (!containsCustomer(file, match)) {
                continue;
            }
            if (!dayOf(file).isBefore(firstOpenDay)) {
                throw new IllegalStateException("The customer has lines in landing files of " + dayOf(file)
                        + ", a day still being written; they are erased by a run after that day has closed");
            }
        }
        for (Path file : files) {
            if (containsCustomer(file, match)) {
                Rewritten done = rewriteWithout(file, match);
                rewritten.add(done);
                counts.merge("lines", done.linesRemoved(), Long::sum);
                counts.merge("files_rewritten", 1L, Long::sum);
            }
        }
        return counts;
    }

    @Override
    public Map<String, Long> eraseShop(ShopId shop) {
        Map<String, Long> counts = new TreeMap<>();
        for (LandingSource source : LandingSource.values()) {
            Path dir = layout.shopDirectory(source, shop);
            if (!Files.exists(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (Files.isRegularFile(path)) {
                        counts.merge("files", 1L, Long::sum);
                    }
                    Files.delete(path);
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the shop's landing folder " + dir + ": "
                        + e.getMessage(), e);
            }
        }
        return counts;
    }

    private boolean containsCustomer(Path file, CustomerMatch match) {
        boolean[] found = {false};
        forEachLine(file, (line, envelope, body) -> found[0] |= body != null
                && LandingLineMatcher.matches(match, envelope.topic(), body));
        return found[0];
    }

    private Rewritten rewriteWithout(Path file, CustomerMatch match) {
        Path temporary = file.resolveSibling(file.getFileName() + ".redact" + LandingLayout.IN_PROGRESS_SUFFIX);
        // old end offset of each line -> new end offset, to move byte watermarks to the same line
        TreeMap<Long, Long> ends = new TreeMap<>();
        long removed = 0;
        long oldOffset = 0;
        long newOffset = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             OutputStream out = Files.newOutputStream(temporary, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                oldOffset += bytes.length;
                if (lineMatches(line, match)) {
                    removed++;
                }
                else {
                    out.write(bytes);
                    newOffset += bytes.length;
                }
                ends.put(oldOffset, newOffset);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot rewrite landing file " + file + ": " + e.getMessage(), e);
        }
        Path relative = layout.root().relativize(file);
        try {
            if (newOffset == 0) {
                Files.delete(temporary);
                Files.delete(file);
            }
            else {
                try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                directory.force(true);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot replace landing file " + file + ": " + e.getMessage(), e);
        }
        LongUnaryOperator offsets = old -> {
            Map.Entry<Long, Long> floor = ends.floorEntry(old);
            return floor == null ? 0 : floor.getValue();
        };
        return new Rewritten(relative, removed, newOffset == 0, offsets);
    }

    private static boolean lineMatches(String line, CustomerMatch match) {
        if (line.isBlank()) {
            return false;
        }
        try {
            LandingEnvelope envelope = LandingEnvelope.fromJsonLine(line);
            return LandingLineMatcher.matches(match, envelope.topic(), JSON.readTree(envelope.body()));
        }
        catch (IOException | RuntimeException e) {
            // An unreadable line cannot be checked field by field: fall back to the email and the customer's GID
            // anywhere in its text, so a broken line holding the customer still goes.
            return LandingLineMatcher.textMentions(match, line);
        }
    }

    private List<Path> shopFiles(ShopId shop) {
        List<Path> files = new ArrayList<>();
        for (LandingSource source : LandingSource.values()) {
            Path dir = layout.shopDirectory(source, shop);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().endsWith(LandingLayout.FILE_SUFFIX))
                        .sorted().forEach(files::add);
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot list landing folder " + dir + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    private static LocalDate dayOf(Path file) {
        String folder = file.getParent().getFileName().toString();
        return folder.startsWith("date=") ? LocalDate.parse(folder.substring("date=".length())) : LocalDate.MAX;
    }

    private interface LineVisitor {
        void visit(String line, LandingEnvelope envelope, JsonNode body);
    }

    private static void forEachLine(Path file, LineVisitor visitor) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                LandingEnvelope envelope;
                try {
                    envelope = LandingEnvelope.fromJsonLine(line);
                }
                catch (RuntimeException e) {
                    continue;
                }
                JsonNode body;
                try {
                    body = JSON.readTree(envelope.body());
                }
                catch (IOException e) {
                    body = null;
                }
                visitor.visit(line, envelope, body);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read landing file " + file + ": " + e.getMessage(), e);
        }
    }
}
