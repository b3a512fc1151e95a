package com.ecomcrm.pipelines;

import static java.util.Objects.requireNonNull;

/**
 * One finished landing file as listed just before the ingest reads it.
 *
 * @param location   where Spark reads it ({@code file:/...} or an object-store URI)
 * @param path       relative to the landing root ({@code source=.../shop=.../date=.../name.jsonl}): the key of the
 *                   record of ingested files, so the record survives the landing root being mounted elsewhere
 * @param modifiedMs the file's last modification, milliseconds since the epoch
 */
record LandingFile(String location, String path, long sizeBytes, long modifiedMs) {
    LandingFile {
        requireNonNull(location, "location is null");
        requireNonNull(path, "path is null");
    }

    /** Whether this listing shows the file exactly as it was when {@code recorded} was ingested. */
    boolean unchangedSince(LandingFile recorded) {
        return recorded.sizeBytes == sizeBytes && recorded.modifiedMs == modifiedMs;
    }
}
