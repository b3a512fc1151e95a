package com.ecomcrm.pipelines;

import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Hadoop's {@code file:} file system (checksums and all) with one change: permissions are set through
 * {@code java.nio} instead of a {@code chmod} child process. Without Hadoop's native library, Hadoop starts one
 * process for every directory it creates, and the first night creates one per shop for every table (thousands at
 * the medium scale), each a fork of a JVM several gigabytes large. Used for local warehouses and landing zones only
 * ({@code spark.hadoop.fs.file.impl}, set by {@link SparkSessions}); object storage is untouched.
 */
public final class LocalFiles extends LocalFileSystem {
    public LocalFiles() {
        super(new WithoutChmodProcess());
    }

    /** The raw local file system whose {@link #setPermission} needs no child process on a POSIX file system. */
    public static final class WithoutChmodProcess extends RawLocalFileSystem {
        private static final PosixFilePermission[] BITS = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

        @Override
        public void setPermission(Path path, FsPermission permission) throws IOException {
            try {
                Files.setPosixFilePermissions(pathToFile(path).toPath(), posix(permission.toShort()));
            }
            catch (UnsupportedOperationException e) { // not a POSIX file system: Hadoop's own way
                super.setPermission(path, permission);
            }
        }

        /** The rwx bits of a mode such as 0755 (the sticky bit has no java.nio form; warehouses never use it). */
        static Set<PosixFilePermission> posix(short mode) {
            Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
            for (int bit = 0; bit < BITS.length; bit++) {
                if ((mode & (1 << bit)) != 0) {
                    set.add(BITS[bit]);
                }
            }
            return set;
        }
    }
}
