package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseOutageTest {
    @TempDir
    Path dir;

    @Test
    void nothingIsAckedWhileTheDatabaseIsDownAndEverythingIsStoredAfterItReturns() throws Exception {
        EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"));
        int pgPort = pg.port();
        ServerConfig cfg = new ServerConfig(pg.jdbcUrl(), "outage-secret-outage-secret-0123456789",
                "127.0.0.1", 0, null, dir, 0);
        try (ControlPlane cp = new ControlPlane(cfg, Clock.systemUTC()).start(null,
                new PrintStream(new ByteArrayOutputStream()))) {
            String admin = cp.tokens().issue("a", Role.ADMIN, Duration.ofHours(1));
            TestServerless rest = new TestServerless(cp.port());
            ObjectNode h = (ObjectNode) rest.post("/v1/hosts", admin, "{\"name\":\"outage\"}").body();
            try (WsClient a = WsClient.connect("ws://127.0.0.1:" + cp.port() + "/v1/agent",
                    h.get("token").asText())) {
                a.send(Frames.hello("outage", 0));
                a.nextOfType("agent.welcome");
                pg.close();
                assertThat(rest.get("/health", null).status()).isEqualTo(503);
                assertThat(rest.get("/v1/sessions", admin).status()).isEqualTo(503);
                a.send(Frames.upsert(1, "s-out", "during outage"));
                JsonNode early = a.received.poll(1500, TimeUnit.MILLISECONDS);
                assertThat(early).as("no ack while the database is down").isNull();
                pg = EmbeddedDatabase.start(dir.resolve("pg"), pgPort);
                JsonNode ack = a.nextOfType("agent.ack");
                assertThat(ack.at("/payload/seq").asLong()).isEqualTo(1);
            }
            assertThat(rest.get("/health", null).status()).isEqualTo(200);
            assertThat(rest.get("/v1/sessions/s-out", admin).status()).isEqualTo(200);
        } finally {
            pg.close();
        }
    }

    @Test
    void startsOverAPostgresOrphanedByAKilledJvm() throws Exception {
        Path data = dir.resolve("pg");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir"),
                OrphanMaker.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // skip the child's log lines
            }
            assertThat(line).as("child JVM started postgres").isEqualTo("ready");
            jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(java.nio.file.Files.exists(data.resolve("postmaster.pid"))).isTrue();
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data);
             var c = java.sql.DriverManager.getConnection(db.jdbcUrl());
             var rs = c.createStatement().executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }
}
