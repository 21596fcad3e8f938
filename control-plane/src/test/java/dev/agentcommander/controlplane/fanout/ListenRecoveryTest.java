package dev.agentcommander.controlplane.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.ControlPlane;
import dev.agentcommander.controlplane.ServerConfig;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Postgres keeps no notification for a listener that is away. A replica whose LISTEN connection went down makes
 * up for that when it is back: its dashboards re-read, its hosts look for queued work.
 */
class ListenRecoveryTest {
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ControlPlane start(EmbeddedDatabase pg, String name) {
        ServerConfig cfg = new ServerConfig(pg.jdbcUrl(), ControlPlaneExtension.JWT_SECRET, "127.0.0.1", 0, null,
                dir.resolve(name), 0);
        return new ControlPlane(cfg, Clock.systemUTC()).start(null, new PrintStream(new ByteArrayOutputStream()));
    }

    private static WsClient ui(ControlPlane cp, String topic, String filter) {
        String token = cp.tokens().issue("victor", Role.VIEWER, Duration.ofHours(1));
        WsClient ui = WsClient.connect("ws://127.0.0.1:" + cp.port() + "/v1/ui?token=" + token, null);
        ui.send("{\"type\":\"subscribe\",\"sub\":\"x\",\"topic\":\"" + topic + "\",\"filter\":" + filter + "}");
        ui.nextOfType("subscribed");
        return ui;
    }

    private static WsClient agent(ControlPlane cp, String token, String name, long acked) {
        WsClient a = WsClient.connect("ws://127.0.0.1:" + cp.port() + "/v1/agent", token);
        a.send(Frames.hello(name, acked));
        a.nextOfType("agent.welcome");
        return a;
    }

    private static void sql(EmbeddedDatabase pg, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void whatWasWrittenWithoutANotificationWhileListenWasDownReachesDashboardsAndHostsAfterReconnect()
            throws Exception {
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"));
             ControlPlane cp = start(pg, "a")) {
            String admin = cp.tokens().issue("alice", Role.ADMIN, Duration.ofHours(1));
            RestClient rest = new RestClient(cp.port());
            ObjectNode h = (ObjectNode) rest.post("/v1/hosts", admin, "{\"name\":\"lr\"}").body();
            String hostId = h.at("/host/id").asText();
            try (WsClient agent = agent(cp, h.get("token").asText(), "lr", 0)) {
                agent.send(Frames.upsert(1, "s-lr", "before"));
                agent.nextOfType("agent.ack");
                try (WsClient sessions = ui(cp, "sessions", "{}");
                     WsClient events = ui(cp, "events", "{\"session_id\":\"s-lr\"}")) {
                    sessions.next(n -> n.path("type").asText().equals("sessions.changed"));
                    // rows written as another replica would, whose notifications this one never heard
                    sql(pg, "UPDATE sessions SET name = 'renamed elsewhere' WHERE id = 's-lr'");
                    sql(pg, "INSERT INTO events (host_id, seq, session_id, type, ts, payload) VALUES ('" + hostId
                            + "', 2, 's-lr', 'hook.Stop', now(), '{}')");
                    sql(pg, "INSERT INTO commands (id, host_id, session_id, name, args, created_by) VALUES "
                            + "('c_lr_missed', '" + hostId + "', 's-lr', 'send_keys', "
                            + "'{\"session_id\":\"s-lr\",\"keys\":[\"C-c\"]}', 'olga')");
                    int pid = cp.signals().listener().backendPid();
                    assertThat(pid).isPositive();
                    sql(pg, "SELECT pg_terminate_backend(" + pid + ")");
                    Await.until("LISTEN back on a new connection", RECOVERY, () ->
                            cp.signals().listener().listening() && cp.signals().listener().backendPid() != pid);

                    JsonNode changed = sessions.next("the renamed session", RECOVERY, n ->
                            n.path("type").asText().equals("sessions.changed")
                                    && n.at("/session/name").asText().equals("renamed elsewhere"));
                    assertThat(changed.at("/session/session_id").asText()).isEqualTo("s-lr");
                    JsonNode ev = events.next("the missed event", RECOVERY, n ->
                            n.path("type").asText().equals("events.appended"));
                    assertThat(ev.at("/event/seq").asLong()).isEqualTo(2);
                    assertThat(ev.at("/event/type").asText()).isEqualTo("hook.Stop");
                    JsonNode cmd = agent.next("the missed command", RECOVERY, n ->
                            n.path("type").asText().equals("command"));
                    assertThat(cmd.at("/payload/command_id").asText()).isEqualTo("c_lr_missed");
                }
            }
        }
    }

    @Test
    void afterAPostgresRestartEveryReplicaListensAgainAndNothingIsMissed() throws Exception {
        EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"));
        int port = pg.port();
        try (ControlPlane a = start(pg, "a"); ControlPlane b = start(pg, "b")) {
            String admin = a.tokens().issue("alice", Role.ADMIN, Duration.ofHours(1));
            String operator = a.tokens().issue("olga", Role.OPERATOR, Duration.ofHours(1));
            RestClient restA = new RestClient(a.port());
            ObjectNode h = (ObjectNode) restA.post("/v1/hosts", admin, "{\"name\":\"pgr\"}").body();
            String token = h.get("token").asText();
            try (WsClient sessions = ui(a, "sessions", "{}")) {
                WsClient agent = agent(b, token, "pgr", 0);
                agent.send(Frames.upsert(1, "s-pgr", "before restart"));
                agent.nextOfType("agent.ack");
                sessions.next(n -> n.at("/session/name").asText().equals("before restart"));
                int pidA = a.signals().listener().backendPid();
                int pidB = b.signals().listener().backendPid();
                pg.close();
                pg = EmbeddedDatabase.start(dir.resolve("pg"), port);
                Await.until("both replicas listen again", RECOVERY, () ->
                        a.signals().listener().listening() && a.signals().listener().backendPid() != pidA
                                && b.signals().listener().listening() && b.signals().listener().backendPid() != pidB);
                // the agent's socket may have been closed while Postgres was away: reconnect as agentd would
                WsClient live = agent.closed.isDone() ? agent(b, token, "pgr", 1) : agent;
                live.send(Frames.upsert(2, "s-pgr", "after restart"));
                live.next("ack of seq 2", RECOVERY, n -> n.path("type").asText().equals("agent.ack")
                        && n.at("/payload/seq").asLong() == 2);
                sessions.next("the change made on B after the restart", RECOVERY, n ->
                        n.at("/session/name").asText().equals("after restart"));
                var r = restA.post("/v1/sessions/s-pgr/commands", operator, "{\"type\":\"send_keys\",\"keys\":[\"C-c\"]}");
                assertThat(r.status()).isEqualTo(202);
                JsonNode cmd = live.next("the command posted on A", RECOVERY, n ->
                        n.path("type").asText().equals("command"));
                assertThat(cmd.at("/payload/command_id").asText()).isEqualTo(r.body().get("command_id").asText());
                live.close();
                agent.close();
            }
        } finally {
            pg.close();
        }
    }
}
