package com.ecomcrm.landing;

import com.ecomcrm.domain.ShopId;

import java.nio.file.Path;
import java.time.LocalDate;

import static java.util.Objects.requireNonNull;

/**
 * Where landed files live:
 * {@code <root>/source=<webhook|bulk|tracking>/shop=<shop domain>/date=<yyyy-mm-dd>/<file>.jsonl}.
 *
 * <p>Partitioning by shop first makes erasing a shop a directory delete; by date, so the nightly ingest of a
 * logical date reads only what it needs. Files still being written end in {@value #IN_PROGRESS_SUFFIX} and are
 * never read by the ingest.
 */
public record LandingLayout(Path root) {
    public static final String FILE_SUFFIX = ".jsonl";
    public static final String IN_PROGRESS_SUFFIX = ".inprogress";

    public LandingLayout {
        requireNonNull(root, "root is null");
        root = root.toAbsolutePath().normalize();
    }

    public Path sourceDirectory(LandingSource source) {
        return root.resolve("source=" + source.folderValue());
    }

    public Path shopDirectory(LandingSource source, ShopId shop) {
        return sourceDirectory(source).resolve("shop=" + shop.domain());
    }

    public Path dateDirectory(LandingSource source, ShopId shop, LocalDate date) {
        return shopDirectory(source, shop).resolve("date=" + date);
    }

    /** A glob (Hadoop's, with {@code {a,b}} alternatives) that matches the finished files of the given sources. */
    public String filesGlob(java.util.Set<LandingSource> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("Cannot match the files of no source");
        }
        String folders = sources.stream().map(LandingSource::folderValue).sorted()
                .collect(java.util.stream.Collectors.joining(","));
        return root + "/source={" + folders + "}/shop=*/date=*/*" + FILE_SUFFIX;
    }
}
