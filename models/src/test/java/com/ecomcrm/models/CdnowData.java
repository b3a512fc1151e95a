package com.ecomcrm.models;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;

/** Finds ../shared/data/cdnow by walking up from the working directory; fails (never skips) when it is missing. */
final class CdnowData {
    private CdnowData() {
    }

    static Path directory() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("shared").resolve("data").resolve("cdnow");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return fail("No shared/data/cdnow folder above " + Path.of("").toAbsolutePath()
                + ": the CDNOW validation needs the shared data beside the repository");
    }

    static Path sample() {
        Path file = directory().resolve("CDNOW_sample.txt");
        if (!Files.isRegularFile(file)) {
            fail("Missing " + file);
        }
        return file;
    }
}
