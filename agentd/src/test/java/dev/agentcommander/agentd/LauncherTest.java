package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentd's launcher ({@code src/main/sh/agentd}, what {@code ./commander agentd} and the systemd unit run) passes
 * the JVM flags of the argfiles in {@code src/main/jvm} for the java it finds, and agentd itself refuses to run
 * without them.
 */
class LauncherTest {
    static final Path LAUNCHER = Path.of("src/main/sh/agentd").toAbsolutePath();
    static final Path JVM_ARGS = Path.of("src/main/jvm").toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path tmp;

    private Path config() throws IOException {
        Path config = tmp.resolve("config.yaml");
        Files.writeString(config, "control_plane:\n  url: ws://127.0.0.1:9/v1/agent\n  token: t0k\n"
                + "tmux:\n  socket: " + tmp.resolve("no-tmux.sock") + "\nstorage:\n  state_dir: " + tmp.resolve("state")
                + "\nhooks:\n  listen: 127.0.0.1:0\n");
        return config;
    }

    private Process start(List<String> cmd, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void theLauncherStartsAgentdWithTheFlagsOfItsArgfiles() throws Exception {
        Path log = tmp.resolve("agentd.log");
        Process p = start(List.of(LAUNCHER.toString(), "run", "--config", config().toString()), Map.of(
                "AGENTD_JAVA", JAVA, "AGENTD_CLASSPATH", System.getProperty("java.class.path"),
                "AGENTD_JVM_DIR", JVM_ARGS.toString(), "AGENTD_STORAGE_STATE_DIR", tmp.resolve("state").toString(),
                "HOME", tmp.toString()), log);
        try {
            Await.until("agentd running (past its check of the JVM flags)", Duration.ofSeconds(30),
                    () -> read(log).contains("running as") || !p.isAlive());
            assertThat(read(log)).contains("running as").doesNotContain("started without the flags");
            String cmdline = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
                    .replace('\0', ' ');
            assertThat(cmdline).as("the launcher execs java itself (same pid, so signals reach agentd)")
                    .contains("@" + JVM_ARGS.resolve("chronicle.args"))
                    .contains("@" + JVM_ARGS.resolve("agentd.args"))
                    .contains("-Djna.tmpdir=" + tmp.resolve("state/tmp"))
                    // the JVM writes it at a clean stop when the class path is all jars (the bench's training run
                    // shows it written; these tests run on target/classes, which CDS cannot archive)
                    .contains("-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=" + tmp.resolve("state/cds/agentd-jdk"
                            + Runtime.version().feature() + ".jsa"));
            assertThat(cmdline.contains("chronicle-jdk23.args")).as("the JDK-23 flag iff java %s >= 23",
                    Runtime.version().feature()).isEqualTo(Runtime.version().feature() >= 23);
        } finally {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withoutTheFlagsAgentdRefusesToRunAndQuotesThemFromItsArgfile() throws Exception {
        Path log = tmp.resolve("plain.log");
        Process p = start(List.of(JAVA, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
                "--config", config().toString()), Map.of("HOME", tmp.toString()), log);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits at once").isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(read(log)).contains("started without the flags Chronicle Queue needs")
                .contains("@jvm/chronicle.args").contains("--add-opens=java.base/java.lang=ALL-UNNAMED")
                .contains("-Dchronicle.analytics.disable=true").doesNotContain("#");
    }

    /** Runs the launcher with a stand-in java that claims {@code version} and records the arguments it got. */
    private List<String> argsForJavaVersion(String version) throws Exception {
        Path fake = tmp.resolve("fake-java-" + version);
        Path got = tmp.resolve("args-" + version);
        Files.writeString(fake, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"" + version
                + "\" 2030-01-01' >&2; exit 0; fi\nfor a in \"$@\"; do echo \"$a\"; done > " + got + "\n");
        fake.toFile().setExecutable(true);
        Path log = tmp.resolve("launcher-" + version + ".log");
        Process p = start(List.of(LAUNCHER.toString(), "doctor"), Map.of("AGENTD_JAVA", fake.toString(),
                "AGENTD_JVM_DIR", "/dist/jvm", "AGENTD_STORAGE_STATE_DIR", tmp.resolve("state").toString()), log);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<String> out = new ArrayList<>(List.of("exit=" + p.exitValue(), read(log).strip()));
        if (Files.exists(got)) {
            out.addAll(Files.readAllLines(got));
        }
        return out;
    }

    @Test
    void theFlagThatExistsOnlyFromJdk23IsPassedOnlyToAJdk23OrNewerAndAJdkBefore21IsRefused() throws Exception {
        assertThat(argsForJavaVersion("21.0.4")).startsWith("exit=0", "", "@/dist/jvm/chronicle.args",
                "@/dist/jvm/agentd.args").doesNotContain("@/dist/jvm/chronicle-jdk23.args")
                .endsWith("dev.agentcommander.agentd.Main", "doctor");
        assertThat(argsForJavaVersion("22")).doesNotContain("@/dist/jvm/chronicle-jdk23.args");
        assertThat(argsForJavaVersion("23.0.1")).contains("@/dist/jvm/chronicle-jdk23.args");
        assertThat(argsForJavaVersion("25.0.3")).contains("@/dist/jvm/chronicle-jdk23.args");
        List<String> old = argsForJavaVersion("17.0.15");
        assertThat(old.get(0)).isEqualTo("exit=1");
        assertThat(old.get(1)).contains("needs a JDK 21 or newer").contains("is 17");
        assertThat(old).hasSize(2); // java was never run with agentd's arguments
    }

    @Test
    void nativeHeapTrimmingIsAskedOnlyOfAJdkWhereItIsAProductFlag() throws Exception {
        String trim = "-XX:TrimNativeHeapInterval=5000";
        assertThat(argsForJavaVersion("21.0.4")).startsWith("exit=0").doesNotContain(trim);
        assertThat(argsForJavaVersion("22")).startsWith("exit=0").contains(trim);
        assertThat(argsForJavaVersion("25.0.3")).startsWith("exit=0").contains(trim);
    }

    /** The arguments a stand-in java 25 gets from the launcher for {@code command}. */
    private List<String> launched(String command, Map<String, String> env) throws Exception {
        Path fake = tmp.resolve("fake-java");
        Path got = tmp.resolve("got-" + command);
        Files.writeString(fake, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"25.0.3\"' >&2; "
                + "exit 0; fi\nfor a in \"$@\"; do echo \"$a\"; done > " + got + "\n");
        fake.toFile().setExecutable(true);
        Map<String, String> all = new java.util.HashMap<>(Map.of("AGENTD_JAVA", fake.toString(),
                "AGENTD_JVM_DIR", "/dist/jvm", "AGENTD_STORAGE_STATE_DIR", tmp.resolve("state").toString()));
        all.putAll(env);
        Process p = start(List.of(LAUNCHER.toString(), command), all, tmp.resolve("launcher-" + command + ".log"));
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Files.readAllLines(got);
    }

    @Test
    void theDaemonMapsAClassDataArchiveInItsStateDirAndShortCommandsNeverMakeOne() throws Exception {
        String archive = "-XX:SharedArchiveFile=" + tmp.resolve("state/cds/agentd-jdk25.jsa");
        assertThat(launched("run", Map.of())).contains("-XX:+AutoCreateSharedArchive", archive)
                .endsWith("dev.agentcommander.agentd.Main", "run");
        assertThat(Files.isDirectory(tmp.resolve("state/cds"))).isTrue();
        assertThat(launched("doctor", Map.of())).noneMatch(a -> a.contains("SharedArchive"));
        assertThat(launched("run", Map.of("AGENTD_CDS_ARCHIVE", ""))).noneMatch(a -> a.contains("SharedArchive"));
        assertThat(launched("run", Map.of("AGENTD_CDS_ARCHIVE", tmp.resolve("x.jsa").toString())))
                .contains("-XX:SharedArchiveFile=" + tmp.resolve("x.jsa"));
    }
}
