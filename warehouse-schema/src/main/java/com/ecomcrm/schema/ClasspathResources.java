package com.ecomcrm.schema;

import com.ecomcrm.domain.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads resources that ship in this module's jar, listed by an {@code index.txt} (a jar cannot be listed). */
final class ClasspathResources {
    private ClasspathResources() {
    }

    static byte[] read(String path) {
        try (InputStream in = ClasspathResources.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new MigrationException(ErrorCode.INTERNAL, "Missing classpath resource " + path);
            }
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new MigrationException(ErrorCode.INTERNAL, "Cannot read classpath resource " + path, e);
        }
    }

    /** The file names listed in {@code <dir>/index.txt}, in order; blank lines and {@code #} comments skipped. */
    static List<String> index(String dir) {
        String text = new String(read(dir + "/index.txt"), java.nio.charset.StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            String name = line.strip();
            if (!name.isEmpty() && !name.startsWith("#")) {
                names.add(name);
            }
        }
        return names;
    }
}
