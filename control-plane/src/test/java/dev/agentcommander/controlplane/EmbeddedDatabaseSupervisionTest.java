package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 in one JVM: the control plane notices the death of the Postgres it started, brings it back on the same
 * data directory, and its pool and agent links carry on; one that cannot come back is reported and given up on.
 */
class EmbeddedDatabaseSupervisionTest {
    @TempDir
    Path dir;

    @Test
    void aKilledPostmasterIsRestartedTheUnackedFrameIsStoredOnceAndNoBrokenConnectionIsLeft() throws Exception {
        try (ControlPlane cp = start(Duration.ofSeconds(60))) {
            RestClient rest = new RestClient(cp.port());
            String admin = cp.tokens().issue("alice", Role.ADMIN, Duration.ofHours(1));
            String token = rest.post("/v1/hosts", admin, "{\"name\":\"crash\"}").body().get("token").asText();
            try (WsClient a = WsClient.connect("ws://127.0.0.1:" + cp.port() + "/v1/agent", token)) {
                a.send(Frames.hello("crash", 0));
                a.nextOfType("agent.welcome");
                a.send(Frames.upsert(1, "s-before", "before the crash"));
                assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
                long pid = postmasterPid();
                // The restart takes well under a second, less than one /health call that was already waiting on
                // the dead server: to see the "restarting" window for sure, keep it open. A lock file naming a
                // live process that is not a postmaster makes every start attempt refuse the directory until
                // the real lock file is put back.
                Path lock = dir.resolve("pg/postmaster.pid");
                List<String> real = Files.readAllLines(lock);
                Process holder = new ProcessBuilder("sleep", "120").start();
                try {
                    List<String> forged = new ArrayList<>(real);
                    forged.set(0, Long.toString(holder.pid()));
                    Files.write(lock, forged);
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, as the OOM killer does
                    // (a probe may see a dead pooled connection, "down", in the few ms before the supervisor hears)
                    JsonNode down = await(rest, Duration.ofSeconds(30), r -> r.status() == 503
                            && r.body().path("db").asText().equals("restarting")
                            && r.body().path("reason").asText().contains("restart attempt"));
                    assertThat(down.get("reason").asText()).contains("pid " + pid).contains("killed by signal 9");
                    a.send(Frames.upsert(2, "s-during", "sent while it was down"));
                    Files.write(lock, real);
                } finally {
                    holder.destroyForcibly();
                }
                await(rest, Duration.ofSeconds(30), r -> r.status() == 200);
                assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(2);
                assertThat(postmasterPid()).isNotEqualTo(pid);
            }
            String viewer = cp.tokens().issue("victor", Role.VIEWER, Duration.ofHours(1));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                statuses.add(rest.get("/v1/sessions?limit=5", viewer).status());
                statuses.add(rest.get("/health", null).status());
            }
            assertThat(statuses).as("no request meets a connection of the dead server").containsOnly(200);
            assertThat(count(cp, "SELECT count(*) FROM sessions WHERE id IN ('s-before', 's-during')")).isEqualTo(2);
            assertThat(count(cp, "SELECT last_acked_seq FROM hosts WHERE name = 'crash'")).isEqualTo(2);
        }
    }

    @Test
    void aDataDirectoryThatNoLongerStartsIsReportedWithItsReasonAndGivenUpOnWithinTheBound() throws Exception {
        try (ControlPlane cp = start(Duration.ofSeconds(4))) {
            RestClient rest = new RestClient(cp.port());
            long pid = postmasterPid();
            Files.delete(dir.resolve("pg/global/pg_control")); // what a corrupted data directory looks like
            long t0 = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            JsonNode restarting = await(rest, Duration.ofSeconds(30),
                    r -> r.status() == 503 && r.body().path("reason").asText().contains("pg_control"));
            assertThat(restarting.get("db").asText()).isEqualTo("restarting");
            String why = cp.failed().get(20, TimeUnit.SECONDS);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertThat(why).contains("did not come back within 4 s").contains("pg_control");
            assertThat(seconds).as("gave up within the bound and one start attempt").isLessThan(4 + 6);
            RestClient.Reply failed = rest.get("/health", null);
            assertThat(failed.status()).isEqualTo(503);
            assertThat(failed.body().get("db").asText()).isEqualTo("failed");
        }
    }

    /** A control plane on its own embedded Postgres in {@code dir}, as {@code ./commander up} runs it. */
    private ControlPlane start(Duration giveUp) {
        ServerConfig cfg = new ServerConfig(null, "supervision-secret-supervision-secret-01", "127.0.0.1", 0, null,
                dir, 0, giveUp);
        return new ControlPlane(cfg, Clock.systemUTC()).start(null, new PrintStream(new ByteArrayOutputStream()));
    }

    private static long count(ControlPlane cp, String sql) {
        return cp.database().tx(c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(dir.resolve("pg/postmaster.pid")).get(0).trim());
    }

    /** Polls /health every 10 ms until {@code done}, returning that body. */
    private static JsonNode await(RestClient rest, Duration timeout, Predicate<RestClient.Reply> done)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        RestClient.Reply last = null;
        while (System.nanoTime() < end) {
            last = rest.get("/health", null);
            if (done.test(last)) {
                return last.body();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("/health never matched within " + timeout + "; last " + last);
    }
}
