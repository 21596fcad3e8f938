package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane's launcher ({@code src/main/sh/control-plane}, what the systemd unit runs) refuses a java older
 * than 21 and otherwise execs it on the distribution layout beside itself, with the arguments it was given.
 */
class LauncherScriptTest {
    static final Path LAUNCHER = Path.of("src/main/sh/control-plane").toAbsolutePath();

    @TempDir
    Path tmp;

    /** The exit, the launcher's own output, then the arguments a stand-in java claiming {@code version} got. */
    private List<String> run(String version, String... args) throws Exception {
        Path fake = tmp.resolve("java-" + version);
        Path got = tmp.resolve("args-" + version);
        Files.writeString(fake, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"" + version
                + "\" 2030-01-01' >&2; exit 0; fi\nfor a in \"$@\"; do echo \"$a\"; done > " + got + "\n");
        fake.toFile().setExecutable(true);
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CONTROL_PLANE_JAVA", fake.toString());
        pb.environment().remove("CONTROL_PLANE_CLASSPATH");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<String> result = new ArrayList<>(List.of("exit=" + p.exitValue(), out));
        if (Files.exists(got)) {
            result.addAll(Files.readAllLines(got));
        }
        return result;
    }

    @Test
    void aJdk21OrNewerRunsTheServerFromTheLayoutBesideTheLauncher() throws Exception {
        Path dir = LAUNCHER.getParent();
        assertThat(run("25.0.3", "serve")).containsExactly("exit=0", "", "-XX:+UseZGC", "-XX:TieredStopAtLevel=1",
                "-XX:MetaspaceSize=64m", "-Xmx512m", "-cp",
                dir.resolve("control-plane.jar") + ":" + dir.resolve("lib") + "/*",
                "dev.agentcommander.controlplane.Main", "serve");
        assertThat(run("21.0.4", "serve")).startsWith("exit=0").endsWith("serve");
    }

    @Test
    void aJavaOlderThan21IsRefusedBeforeItRuns() throws Exception {
        List<String> old = run("17.0.15", "serve");
        assertThat(old.get(0)).isEqualTo("exit=1");
        assertThat(old.get(1)).contains("needs a JDK 21 or newer").contains("is 17").contains("CONTROL_PLANE_JAVA");
        assertThat(old).hasSize(2);
    }
}
