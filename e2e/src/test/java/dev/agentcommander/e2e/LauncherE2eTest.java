package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./commander up} as a user runs it (issues 21 and 23): a second {@code up} on the same data says where the
 * first runs and leaves it alone, a busy port is named, and when one of the pair dies the launcher says which and
 * stops the other instead of leaving a half-running pair that looks alive. Needs the packaged jars (the reactor's
 * {@code package} phase); skipped when they are missing or older than the compiled classes.
 */
class LauncherE2eTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Process first;
    private PrivateTmux tmux;

    @AfterEach
    void stop() throws Exception {
        if (first != null && first.isAlive()) {
            first.destroy();
            first.waitFor(30, TimeUnit.SECONDS);
        }
        if (tmux != null) {
            tmux.close();
        }
    }

    @Test
    void aSecondUpIsRefusedABusyPortIsNamedAndADeadAgentdStopsThePair() throws Exception {
        assumeJarsUpToDate();
        tmux = PrivateTmux.with(Files.createDirectories(dir.resolve("tmux"))).start();
        int port = Stack.freePort();
        Path data = dir.resolve("data");
        first = up("first", data, port);
        Await.value("first up ready", Duration.ofSeconds(120), () -> output("first").contains("commander: ready"));
        long cpPid = Long.parseLong(Files.readAllLines(data.resolve("control-plane.lock")).get(0).substring(4));
        String signIn = "commander: sign in: http://127.0.0.1:" + port + "/auth/link?code=admin.";
        Await.value("sign-in link printed", Duration.ofSeconds(30), () -> output("first").contains(signIn));
        String link = output("first").lines().filter(l -> l.startsWith(signIn)).findFirst().orElseThrow()
                .substring("commander: sign in: ".length()).strip();
        java.net.http.HttpClient browser = java.net.http.HttpClient.newHttpClient(); // follows no redirect
        var signedIn = browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(link)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.statusCode()).as("the printed link signs in").isEqualTo(302);
        assertThat(signedIn.headers().firstValue("set-cookie").orElse("")).startsWith("ac_session=");
        assertThat(browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(link)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).as("only once").isEqualTo(400);
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("pg/postmaster.pid")).get(0).trim());
        for (Path p : List.of(data, data.resolve("pg-bin"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                    .isEqualTo("rwx------");
        }

        Process second = up("second", data, port);
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(output("second")).contains("commander: already running at http://127.0.0.1:" + port + " (pid "
                + cpPid + ")").doesNotContain("commander: ready");
        assertThat(new Rest("http://127.0.0.1:" + port, null).get("/health").status()).isEqualTo(200);
        assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).as("first's Postgres untouched")
                .contains(true);

        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process third = up("third", dir.resolve("other-data"), busy.getLocalPort());
            assertThat(third.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(third.exitValue()).isEqualTo(1);
            assertThat(output("third")).contains("port " + busy.getLocalPort() + " is in use; set PORT=");
        }

        ProcessHandle agentd = first.descendants().filter(p -> p.info().commandLine().orElse("")
                .contains("dev.agentcommander.agentd.Main")).findFirst().orElseThrow();
        agentd.destroyForcibly();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("the launcher ends with its pair").isTrue();
        assertThat(first.exitValue()).isEqualTo(1);
        assertThat(output("first")).contains("commander: agentd (pid " + agentd.pid() + ") was killed by SIGKILL")
                .contains("stopping the control plane");
        Await.value("control plane stopped too", Duration.ofSeconds(30),
                () -> ProcessHandle.of(cpPid).map(p -> !p.isAlive()).orElse(true));
        assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void upRefusesTlsSettingsItCannotHonourBeforeTouchingAnything() throws Exception {
        Path data = dir.resolve("tls-data");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("commander").toString(), "up")
                .redirectErrorStream(true).redirectOutput(dir.resolve("tls.log").toFile());
        pb.environment().putAll(Map.of("DATA_DIR", data.toString(), "TLS_CERT_FILE", "/etc/ssl/chain.pem",
                "JAVA_HOME", System.getProperty("java.home"), "HOME", dir.toString(), "COMMANDER_SKIP_BUILD", "1"));
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(output("tls")).contains("commander: TLS_CERT_FILE / TLS_KEY_FILE are set, but ./commander up runs "
                + "on 127.0.0.1 over plain http").contains("./commander control-plane serve");
        assertThat(data).doesNotExist();
    }

    private Process up(String name, Path data, int port) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("commander").toString(), "up")
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(Map.of("DATA_DIR", data.toString(), "PORT", Integer.toString(port),
                "AGENTD_TMUX_SOCKET", tmux.socket().toString(), "JAVA_HOME", System.getProperty("java.home"),
                "HOME", dir.toString(), "COMMANDER_SKIP_BUILD", "1"));
        pb.environment().remove("DATABASE_URL");
        return pb.start();
    }

    private String output(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The launcher runs with COMMANDER_SKIP_BUILD (a test must never start a Maven build), so the jars must hold
     * the classes just compiled: each jar at least as new as every file of its module's {@code target/classes}.
     */
    private static void assumeJarsUpToDate() throws IOException {
        for (String module : List.of("control-plane", "agentd")) {
            Path target = ROOT.resolve(module).resolve("target");
            Path jar = target.resolve(module + "-0.1.0-SNAPSHOT.jar");
            Assumptions.assumeTrue(Files.exists(jar), "no " + jar + " (run through the reactor's package phase)");
            FileTime built = Files.getLastModifiedTime(jar);
            try (Stream<Path> s = Files.walk(target.resolve("classes"))) {
                Assumptions.assumeTrue(s.filter(Files::isRegularFile).noneMatch(f -> newer(f, built)),
                        jar + " is older than its compiled classes (run through the reactor's package phase)");
            }
        }
    }

    private static boolean newer(Path f, FileTime than) {
        try {
            return Files.getLastModifiedTime(f).compareTo(than) > 0;
        } catch (IOException e) {
            return true;
        }
    }
}
