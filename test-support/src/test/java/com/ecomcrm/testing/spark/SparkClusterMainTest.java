package com.ecomcrm.testing.spark;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SparkClusterMainTest {
    @Test
    void defaultsToTwoWorkersOfOneCoreAndOneGigabyte() {
        SparkStandaloneCluster.Options options = SparkClusterMain.parse(new String[]{
                "--dir", "var/spark-cluster", "--classpath", "/a.jar:/b.jar",
                "--jvm-option", "--add-opens=java.base/java.lang=ALL-UNNAMED", "--jvm-option", "-Dx=1"});

        assertThat(options.directory()).isEqualTo(Path.of("var/spark-cluster").toAbsolutePath());
        assertThat(options.classpath()).isEqualTo("/a.jar:/b.jar");
        assertThat(options.jvmOptions()).containsExactly("--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dx=1");
        assertThat(options.workers()).isEqualTo(2);
        assertThat(options.workerCores()).isEqualTo(1);
        assertThat(options.workerMemory()).isEqualTo("1g");
        assertThat(options.startTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void workersCoresAndMemoryCanBeChosen() {
        SparkStandaloneCluster.Options options = SparkClusterMain.parse(new String[]{
                "--dir", "/tmp/c", "--classpath", "x.jar", "--workers", "3", "--cores", "2", "--memory", "768m"});

        assertThat(options.workers()).isEqualTo(3);
        assertThat(options.workerCores()).isEqualTo(2);
        assertThat(options.workerMemory()).isEqualTo("768m");
    }

    @Test
    void badArgumentsAreRefusedNamingTheFault() {
        assertThatThrownBy(() -> SparkClusterMain.parse(new String[]{"--dir", "/tmp/c"}))
                .hasMessage("--dir and --classpath are required");
        assertThatThrownBy(() -> SparkClusterMain.parse(new String[]{"--dir", "/tmp/c", "--classpath", "x",
                "--workers", "0"})).hasMessage("--workers '0' is not a positive number");
        assertThatThrownBy(() -> SparkClusterMain.parse(new String[]{"--dir", "/tmp/c", "--classpath", "x",
                "--masters", "2"})).hasMessage("unknown argument '--masters'");
        assertThatThrownBy(() -> SparkClusterMain.parse(new String[]{"--dir"}))
                .hasMessage("--dir needs a value");
    }
}
