package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 with real processes: the database under a control plane dies while agentd streams hook events into it.
 * The embedded Postgres (the control plane's child) is killed with SIGKILL, made unusable, and an external Postgres
 * is stopped for 20 s; every event agentd accepted must end up stored exactly once, without restarting anything
 * by hand, or the control plane must exit non-zero within its bound, saying why.
 */
class DatabaseLifecycleE2eTest {
    @TempDir
    Path dir;
    Stack stack;
    private HookStream events;

    @AfterEach
    void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void threeSigkillsOfTheEmbeddedPostmasterUnderLoadAreEachSurvivedAndEveryAcceptedEventIsStoredOnce()
            throws Exception {
        stack = new Stack(dir).controlPlaneOwnsDatabase();
        JavaProcess cp = stack.startControlPlane();
        stack.registerHost("e2e-host");
        String pane = HookStream.paneFor(stack);
        stack.startAgentd();
        events = HookStream.start(stack.hooksPort, pane);
        Await.value("first events stored", Duration.ofSeconds(30), () -> stored() >= 200);
        List<Long> recoveries = new ArrayList<>();
        for (int kill = 1; kill <= 3; kill++) {
            long pid = postmasterPid();
            int before = events.accepted();
            long t0 = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, what the OOM killer sends
            Await.value("/health ok after kill " + kill, Duration.ofSeconds(10), () -> postmasterPid() != pid
                    && stack.rest(null).get("/health").status() == 200);
            recoveries.add((System.nanoTime() - t0) / 1_000_000);
            Await.value("events flowing again after kill " + kill, Duration.ofSeconds(30),
                    () -> events.accepted() > before + 100 && stored() > before);
        }
        System.out.println("db-restart: SIGKILL of the embedded postmaster -> /health ok (ms): " + recoveries);
        cp.output().lines().filter(l -> l.contains("embedded Postgres")).forEach(l -> System.out.println("  " + l));
        int total = events.stop();
        Await.value("all accepted events stored", Duration.ofSeconds(60), () -> stored() >= total);
        assertEveryAcceptedEventStoredOnce(total);
        assertThat(cp.alive()).as("the control plane itself was never restarted").isTrue();
        assertThat(cp.output()).contains("embedded Postgres is back").contains("restarts so far: 3");
    }

    @Test
    void aDataDirectoryMadeUnusableEndsTheControlPlaneWithItsReasonAndANonZeroExitWithinTheBound() throws Exception {
        stack = new Stack(dir).controlPlaneOwnsDatabase();
        stack.controlPlaneEnv.put("EMBEDDED_DB_GIVE_UP_SECONDS", "8");
        JavaProcess cp = stack.startControlPlane();
        long pid = postmasterPid();
        Files.delete(stack.controlPlaneDataDir().resolve("pg/global/pg_control"));
        long t0 = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Rest.Reply health = Await.value("/health names the reason", Duration.ofSeconds(5), () -> {
            Rest.Reply r = stack.rest(null).get("/health");
            return r.status() == 503 && r.body().path("reason").asText().contains("pg_control") ? r : null;
        });
        assertThat(health.body().get("db").asText()).isEqualTo("restarting");
        Integer exit = cp.awaitExit(Duration.ofSeconds(8 + 15));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        assertThat(exit).as("exit status").isEqualTo(1);
        assertThat(seconds).as("exited within the 8 s bound plus one start attempt").isLessThan(8 + 6);
        String log = cp.output();
        assertThat(log.lines()).as("one SEVERE line (LOG_FORMAT=text) says what happened")
                .anyMatch(l -> l.matches("\\S+Z SEVERE \\w+: embedded Postgres \\(pid " + pid + "\\) was killed by "
                        + "signal 9 and did not come back within 8 s.*"));
        assertThat(log).contains("pg_control");
        assertThat(log.strip().lines().reduce((a, b) -> b).orElseThrow())
                .as("the last line says why, for a service manager's journal")
                .startsWith("control-plane: embedded Postgres (pid " + pid + ")").contains("pg_control");
    }

    @Test
    void anExternalPostgresStoppedForTwentySecondsIsSurvivedWithoutRestartingTheControlPlane() throws Exception {
        int port = Stack.freePort();
        Path data = dir.resolve("external-pg");
        EmbeddedPostgres pg = external(data, port);
        try {
            String url = pg.getJdbcUrl("postgres", "postgres");
            stack = new Stack(dir).useDatabaseAt(url);
            JavaProcess cp = stack.startControlPlane();
            stack.registerHost("e2e-host");
            String pane = HookStream.paneFor(stack);
            stack.startAgentd();
            events = HookStream.start(stack.hooksPort, pane);
            Await.value("first events stored", Duration.ofSeconds(30), () -> stored() >= 200);
            pg.close(); // a database restart, maintenance, a failover: not the control plane's to fix
            int beforeOutage = events.accepted();
            Rest.Reply down = Await.value("/health down", Duration.ofSeconds(5), () -> {
                Rest.Reply r = stack.rest(null).get("/health");
                return r.status() == 503 ? r : null;
            });
            assertThat(down.body().get("db").asText()).isEqualTo("down");
            assertThat(down.body().get("reason").asText()).isNotBlank();
            Thread.sleep(20_000);
            assertThat(events.accepted()).as("agentd kept accepting into its outbox").isGreaterThan(beforeOutage);
            assertThat(stack.rest(null).get("/health").status()).isEqualTo(503);
            pg = external(data, port);
            Await.value("/health ok after the database returned", Duration.ofSeconds(30),
                    () -> stack.rest(null).get("/health").status() == 200);
            int total = events.stop();
            Await.value("the backlog drained", Duration.ofSeconds(90), () -> stored() >= total);
            assertEveryAcceptedEventStoredOnce(total);
            assertThat(cp.alive()).isTrue();
            for (int i = 0; i < 30; i++) { // each probe borrows a pooled connection: none is a dead one
                assertThat(stack.rest(null).get("/health").status()).isEqualTo(200);
            }
        } finally {
            pg.close();
        }
    }

    /** A Postgres the test owns (zonky, as a team's server would be), durable, on a fixed port and directory. */
    private static EmbeddedPostgres external(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                .setOverrideWorkingDirectory(Path.of(System.getProperty("java.io.tmpdir"), "zonky-bin").toFile())
                .start();
    }

    private long stored() {
        return HookStream.stored(stack);
    }

    private void assertEveryAcceptedEventStoredOnce(int total) {
        assertThat(stored()).as("stored events").isEqualTo(total);
        String markers = "from events where host_id = ? and type = 'hook.PostToolUse'";
        assertThat(HookStream.distinctStored(stack)).as("distinct markers").isEqualTo(total);
        assertThat(stack.queryLong("select min((payload->>'marker')::int) " + markers, stack.hostId())).isZero();
        assertThat(stack.queryLong("select max((payload->>'marker')::int) " + markers, stack.hostId()))
                .isEqualTo(total - 1);
        long count = stack.queryLong("select count(*) from events where host_id = ?", stack.hostId());
        long min = stack.queryLong("select min(seq) from events where host_id = ?", stack.hostId());
        long max = stack.queryLong("select max(seq) from events where host_id = ?", stack.hostId());
        assertThat(max - min + 1).as("seqs contiguous, none twice").isEqualTo(count);
    }

    private long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(stack.controlPlaneDataDir().resolve("pg/postmaster.pid"))
                    .get(0).trim());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
