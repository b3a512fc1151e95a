package com.ecomcrm.pipelines;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** Hadoop's local file system as the pipelines configure it: same files and permissions, no chmod process. */
class LocalFilesTest {
    @TempDir
    java.nio.file.Path temp;

    @Test
    void modesMapToTheSamePosixPermissionsChmodWouldSet() {
        assertThat(PosixFilePermissions.toString(LocalFiles.WithoutChmodProcess.posix((short) 0755)))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(LocalFiles.WithoutChmodProcess.posix((short) 0640)))
                .isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(LocalFiles.WithoutChmodProcess.posix((short) 01777)))
                .isEqualTo("rwxrwxrwx");
    }

    @Test
    void createsDirectoriesAndFilesWithTheirPermissionsAndChecksumsThroughTheConfiguredClass() throws Exception {
        Configuration conf = new Configuration(false);
        conf.set("fs.file.impl", LocalFiles.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        FileSystem fs = FileSystem.get(temp.toUri(), conf);
        assertThat(fs).isInstanceOf(LocalFiles.class);

        Path dir = new Path(temp.toUri().toString(), "data/shop_id=a.myshopify.com");
        assertThat(fs.mkdirs(dir, new FsPermission((short) 0750))).isTrue();
        Path file = new Path(dir, "part-0.parquet");
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write("rows".getBytes(StandardCharsets.UTF_8));
        }
        fs.setPermission(file, new FsPermission((short) 0640));

        java.nio.file.Path local = temp.resolve("data/shop_id=a.myshopify.com");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local))).isEqualTo("rwxr-x---");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local.resolve("part-0.parquet"))))
                .isEqualTo("rw-r-----");
        assertThat(Files.readString(local.resolve("part-0.parquet"))).isEqualTo("rows");
        // Still Hadoop's checksummed local file system: the .crc beside the file, as before.
        assertThat(local.resolve(".part-0.parquet.crc")).exists();
        fs.close();
    }
}
