package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.ControlPlane;
import dev.agentcommander.controlplane.ServerConfig;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.LogCapture;
import dev.agentcommander.controlplane.testkit.RestClient;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane on a Postgres the test stops and starts again (so not the shared extension's). */
class DatabaseOutageTest {
    @TempDir
    Path dir;

    @Test
    void nothingIsAckedWhileTheDatabaseIsDownAndEverythingIsStoredAfterItReturns() {
        EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"));
        int pgPort = pg.port();
        ServerConfig cfg = new ServerConfig(pg.jdbcUrl(), "outage-secret-outage-secret-0123456789",
                "127.0.0.1", 0, null, dir, 0);
        try (ControlPlane cp = new ControlPlane(cfg, Clock.systemUTC()).start(null,
                new PrintStream(new ByteArrayOutputStream()));
             LogCapture ingestLog = LogCapture.of(Ingest.class.getName())) {
            String admin = cp.tokens().issue("a", Role.ADMIN, Duration.ofHours(1));
            RestClient rest = new RestClient(cp.port());
            ObjectNode h = (ObjectNode) rest.post("/v1/hosts", admin, "{\"name\":\"outage\"}").body();
            try (WsClient a = WsClient.connect("ws://127.0.0.1:" + cp.port() + "/v1/agent",
                    h.get("token").asText())) {
                a.send(Frames.hello("outage", 0));
                a.nextOfType("agent.welcome");
                pg.close();
                assertThat(rest.get("/health", null).status()).isEqualTo(503);
                assertThat(rest.get("/v1/sessions", admin).status()).isEqualTo(503);
                a.send(Frames.upsert(1, "s-out", "during outage"));
                ingestLog.await(m -> m.contains("failed, retrying"));
                // marker: ingest has tried the batch; an ack it sent would be on the socket before this reply
                a.send("{not json");
                JsonNode first = a.next(n -> n.path("type").asText().equals("agent.ack")
                        || n.path("type").asText().equals("error"));
                assertThat(first.path("type").asText()).as("no ack while the database is down").isEqualTo("error");
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
}
