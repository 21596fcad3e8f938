package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
        try (TestServer s = new TestServer(dir)) {
            TestServerless rest = new TestServerless(s.cp.port());
            String token = s.createHost("crash").get("token").asText();
            try (WsClient a = WsClient.connect(s.ws("/v1/agent"), token)) {
                a.send(Frames.hello("crash", 0));
                a.nextOfType("agent.welcome");
                a.send(Frames.upsert(1, "s-before", "before the crash"));
                assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
                long pid = postmasterPid();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, as the OOM killer does
                JsonNode down = await(rest, Duration.ofSeconds(5), r -> r.status() == 503);
                assertThat(down.get("db").asText()).isEqualTo("restarting");
                assertThat(down.get("reason").asText()).contains("pid " + pid).contains("killed by signal 9");
                a.send(Frames.upsert(2, "s-during", "sent while it was down"));
                await(rest, Duration.ofSeconds(10), r -> r.status() == 200);
                assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(2);
                assertThat(postmasterPid()).isNotEqualTo(pid);
            }
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                statuses.add(s.get("/v1/sessions?limit=5", s.viewer).status());
                statuses.add(rest.get("/health", null).status());
            }
            assertThat(statuses).as("no request meets a connection of the dead server").containsOnly(200);
            assertThat(s.count("SELECT count(*) FROM sessions WHERE id IN ('s-before', 's-during')")).isEqualTo(2);
            assertThat(s.count("SELECT last_acked_seq FROM hosts WHERE name = 'crash'")).isEqualTo(2);
        }
    }

    @Test
    void aDataDirectoryThatNoLongerStartsIsReportedWithItsReasonAndGivenUpOnWithinTheBound() throws Exception {
        ServerConfig cfg = new ServerConfig(null, "give-up-secret-give-up-secret-0123456789", "127.0.0.1", 0, null,
                dir, 0, Duration.ofSeconds(4));
        try (ControlPlane cp = new ControlPlane(cfg, Clock.systemUTC()).start(null,
                new PrintStream(new ByteArrayOutputStream()))) {
            TestServerless rest = new TestServerless(cp.port());
            long pid = postmasterPid();
            Files.delete(dir.resolve("pg/global/pg_control")); // what a corrupted data directory looks like
            long t0 = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            JsonNode restarting = await(rest, Duration.ofSeconds(5),
                    r -> r.status() == 503 && r.body().path("reason").asText().contains("pg_control"));
            assertThat(restarting.get("db").asText()).isEqualTo("restarting");
            String why = cp.failed().get(20, TimeUnit.SECONDS);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertThat(why).contains("did not come back within 4 s").contains("pg_control");
            assertThat(seconds).as("gave up within the bound and one start attempt").isLessThan(4 + 6);
            TestServer.Reply failed = rest.get("/health", null);
            assertThat(failed.status()).isEqualTo(503);
            assertThat(failed.body().get("db").asText()).isEqualTo("failed");
        }
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(dir.resolve("pg/postmaster.pid")).get(0).trim());
    }

    /** Polls /health every 10 ms until {@code done}, returning that body. */
    private static JsonNode await(TestServerless rest, Duration timeout, Predicate<TestServer.Reply> done)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        TestServer.Reply last = null;
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
