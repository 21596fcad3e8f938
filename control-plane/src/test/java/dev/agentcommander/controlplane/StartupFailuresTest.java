package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import dev.agentcommander.controlplane.testkit.RestClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, items 3, 4 and 6, on real processes: what a user who starts the control plane a second time, on a busy
 * port or with a wrong DATABASE_URL sees — one line that names the cause, a non-zero exit, and a first instance that
 * is left alone.
 */
class StartupFailuresTest {
    private static final Pattern LISTENING =
            Pattern.compile("control-plane listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void aSecondControlPlaneOnTheSameDataDirSaysWhereTheFirstRunsAndLeavesItAlone() throws Exception {
        Path data = dir.resolve("data");
        Process first = start("first", Map.of("DATA_DIR", data.toString()));
        try {
            int port = awaitListening(first, "first");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                    .as("DATA_DIR made private by the control plane itself").isEqualTo("rwx------");
            long postmaster = postmasterPid(data);
            Process second = start("second", Map.of("DATA_DIR", data.toString()));
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isEqualTo(1);
            assertThat(oneLine("second")).isEqualTo("control-plane: already running at http://127.0.0.1:" + port
                    + " (pid " + first.pid() + ") on " + data
                    + "; stop it first, or set DATA_DIR to another directory");
            assertThat(new RestClient(port).get("/health", null).status()).isEqualTo(200);
            assertThat(postmasterPid(data)).as("the first instance's Postgres was not touched").isEqualTo(postmaster);
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).contains(true);
        } finally {
            first.destroy();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aBusyPortFailsAtOnceNamingThePortAndStartsNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            long t0 = System.nanoTime();
            Process p = start("busy", Map.of("DATA_DIR", dir.resolve("data").toString(), "PORT",
                    Integer.toString(port)));
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("exits within 5 s").isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(oneLine("busy")).startsWith("control-plane: port " + port + " is in use on 127.0.0.1")
                    .contains("set PORT=");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(5);
            assertThat(dir.resolve("data/pg")).as("no database was started for nothing").doesNotExist();
        }
    }

    @Test
    void aDatabaseUrlThatRefusesOrDoesNotResolveFailsWithinTenSecondsInOneLineWithoutThePassword()
            throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        for (String[] c : List.of(
                new String[] {"refused", "postgres://ac:s3cret-pw@127.0.0.1:" + closed + "/commander",
                        "127.0.0.1:" + closed + "/commander as ac: Connection to 127.0.0.1:" + closed + " refused"},
                new String[] {"unknown-host", "jdbc:postgresql://db.does-not-exist.invalid:5432/commander?user=ac"
                        + "&password=s3cret-pw", "db.does-not-exist.invalid:5432/commander as ac: "})) {
            long t0 = System.nanoTime();
            Process p = start(c[0], Map.of("DATA_DIR", dir.resolve(c[0]).toString(), "DATABASE_URL", c[1]));
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as(c[0] + ": exits within 10 s").isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            String line = oneLine(c[0]);
            assertThat(line).startsWith("control-plane: DATABASE_URL: cannot connect to Postgres at ").contains(c[2])
                    .doesNotContain("s3cret-pw");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
        }
    }

    @Test
    void aDatabaseUrlWithAWrongPasswordFailsAtOnceNamingTheCause() throws Exception {
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"))) {
            Process p = start("bad-password", Map.of("DATA_DIR", dir.resolve("data").toString(), "DATABASE_URL",
                    "postgres://postgres:not-the-password@127.0.0.1:" + pg.port() + "/postgres"));
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(oneLine("bad-password")).isEqualTo("control-plane: DATABASE_URL: cannot connect to Postgres "
                    + "at 127.0.0.1:" + pg.port() + "/postgres as postgres: FATAL: password authentication failed "
                    + "for user \"postgres\"");
        }
    }

    private Process start(String name, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir"), Main.class.getName(), "serve");
        Map<String, String> e = new HashMap<>(Map.of("HOST", "127.0.0.1", "PORT", "0"));
        e.putAll(env);
        pb.environment().remove("DATABASE_URL");
        pb.environment().remove("JWT_SECRET");
        pb.environment().putAll(e);
        pb.redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        return pb.start();
    }

    private int awaitListening(Process p, String name) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Matcher m = LISTENING.matcher(Files.readString(dir.resolve(name + ".out")));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(p.isAlive()).as(name + " exited: " + Files.readString(dir.resolve(name + ".err"))).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not listen within 60 s");
    }

    /** Everything the process wrote to stderr, which must be exactly one line (no stack trace, no noise). */
    private String oneLine(String name) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".err"));
        assertThat(lines).as(name + " stderr").hasSize(1);
        return lines.get(0);
    }

    private static long postmasterPid(Path data) throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("pg/postmaster.pid")).get(0).trim());
    }
}
