package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units in {@code systemd/} pass {@code systemd-analyze verify} with no warning at all (it prints unknown keys
 * and bad values but still exits 0, so silence is the bar), and agentd's unit keeps the settings the daemon relies
 * on. The units name their installed paths (/opt/…); the copies verified here point those at this checkout's
 * launchers, because verify refuses an ExecStart that does not exist.
 */
class SystemdUnitsTest {
    static final Path UNITS = Path.of("../systemd").toAbsolutePath().normalize();
    static final Path AGENTD_LAUNCHER = Path.of("src/main/sh/agentd").toAbsolutePath();
    static final Path CONTROL_PLANE_LAUNCHER = Path.of("../control-plane/src/main/sh/control-plane").toAbsolutePath()
            .normalize();
    static final String AGENTD_UNIT = "agentd@.service";
    static final String CONTROL_PLANE_UNIT = "agent-commander-control-plane.service";

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsSystemdAnalyze() {
        assumeTrue(Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").anyMatch(p -> Files.isExecutable(
                Path.of(p))), "systemd-analyze is not installed");
    }

    private record Verified(int exit, String output) {
    }

    /** Copies {@code unit} into tmp with its /opt paths pointed at this checkout and verifies it as {@code name}. */
    private Verified verify(String unit, String name, String extraLine) throws IOException, InterruptedException {
        String text = Files.readString(UNITS.resolve(unit))
                .replace("/opt/agentd/agentd", AGENTD_LAUNCHER.toString())
                .replace("/opt/agent-commander/control-plane", CONTROL_PLANE_LAUNCHER.toString());
        assertThat(text).as("the copy runs this checkout's launchers").doesNotContain("ExecStart=/opt/");
        if (extraLine != null) {
            text = text.replace("[Service]\n", "[Service]\n" + extraLine + "\n");
        }
        Files.writeString(tmp.resolve(unit), text);
        List<String> cmd = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no",
                tmp.resolve(name).toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("systemd-analyze verify ends").isTrue();
        return new Verified(p.exitValue(), out);
    }

    @Test
    void agentdsTemplateUnitVerifiesWithoutAWarning() throws Exception {
        Verified v = verify(AGENTD_UNIT, "agentd@" + System.getProperty("user.name") + ".service", null);
        assertThat(v.output()).as("systemd-analyze verify's output").isEmpty();
        assertThat(v.exit()).isZero();
    }

    @Test
    void theControlPlaneUnitVerifiesWithoutAWarning() throws Exception {
        Verified v = verify(CONTROL_PLANE_UNIT, CONTROL_PLANE_UNIT, null);
        assertThat(v.output()).as("systemd-analyze verify's output").isEmpty();
        assertThat(v.exit()).isZero();
    }

    @Test
    void aBrokenUnitIsReported() throws Exception {
        // the check above can fail: a misspelt key and a bad value are both printed
        Verified v = verify(AGENTD_UNIT, "agentd@nobody.service", "WatchdogSecs=30\nType=notifyy");
        assertThat(v.output()).contains("WatchdogSecs").contains("notifyy");
    }

    @Test
    void agentdsUnitIsAPerUserNotifyServiceThatSeesTheUsersTmp() throws IOException {
        List<String> lines = Files.readAllLines(UNITS.resolve(AGENTD_UNIT)).stream()
                .filter(l -> !l.startsWith("#") && l.contains("=")).toList();
        assertThat(lines).contains("Type=notify", "NotifyAccess=main", "WatchdogSec=30", "User=%i",
                "StateDirectory=agentd/%i", "Environment=AGENTD_STORAGE_STATE_DIR=/var/lib/agentd/%i",
                "Restart=on-failure", "PrivateTmp=false", "KillMode=process");
        try (Stream<Path> files = Files.list(UNITS)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("agentd")
                    && n.endsWith(".service"))).as("one agentd unit").containsExactly(AGENTD_UNIT);
        }
    }
}
