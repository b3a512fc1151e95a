package com.ecomcrm.landing;

import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** What landing one bulk result file did: where the accepted lines went, and each line that was refused. */
public record BulkLandingResult(Path file, long linesLanded, List<LandingReject> rejects) {
    public BulkLandingResult {
        requireNonNull(file, "file is null");
        rejects = List.copyOf(rejects);
    }
}
