package dev.agentcommander.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void startsOverAPostgresOrphanedByAKilledJvm() throws Exception {
        Path data = dir.resolve("pg");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir"),
                OrphanMaker.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        try (var out = new BufferedReader(new InputStreamReader(jvm.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // skip the child's log lines
            }
            assertThat(line).as("child JVM started postgres").isEqualTo("ready");
            jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(Files.exists(data.resolve("postmaster.pid"))).isTrue();
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data);
             var c = DriverManager.getConnection(db.jdbcUrl());
             var rs = c.createStatement().executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }
}
