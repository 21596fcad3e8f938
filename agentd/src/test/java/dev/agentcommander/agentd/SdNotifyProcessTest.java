package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.NotifyReceiver;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agentd, started by its launcher as the systemd unit starts it, with {@code NOTIFY_SOCKET} naming a
 * datagram socket this test owns: it says READY=1 once its first scan has seen the private tmux server's panes,
 * pings the watchdog again and again at half of {@code WATCHDOG_USEC}, and says STOPPING=1 on SIGTERM.
 */
class SdNotifyProcessTest {
    @TempDir
    Path tmp;

    @Test
    void agentdTellsANotifySocketReadyAfterTheFirstScanPingsTheWatchdogAndStopsOnSigterm() throws Exception {
        try (PrivateTmux tmux = PrivateTmux.start(tmp.resolve("tmux"));
             NotifyReceiver systemd = new NotifyReceiver(tmp.resolve("notify.sock").toString())) {
            tmux.window("sleep", "600"); // two panes
            Path state = tmp.resolve("state");
            Path config = tmp.resolve("config.yaml");
            Files.writeString(config, "control_plane:\n  url: ws://127.0.0.1:9/v1/agent\n  token: t0k\n"
                    + "tmux:\n  socket: " + tmux.socket() + "\nstorage:\n  state_dir: " + state + "\n");
            Path log = tmp.resolve("agentd.log");
            ProcessBuilder pb = new ProcessBuilder(LauncherTest.LAUNCHER.toString(), "run", "--config",
                    config.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(java.util.Map.of("AGENTD_JAVA", LauncherTest.JAVA,
                    "AGENTD_CLASSPATH", System.getProperty("java.class.path"),
                    "AGENTD_JVM_DIR", LauncherTest.JVM_ARGS.toString(), "AGENTD_CDS_ARCHIVE", "",
                    "HOME", tmp.toString(), "AGENTD_STORAGE_STATE_DIR", state.toString(),
                    "NOTIFY_SOCKET", systemd.name(), "WATCHDOG_USEC", "1000000"));
            pb.environment().remove("WATCHDOG_PID");
            Process agentd = pb.start();
            try {
                String ready = systemd.nextWith("READY=1", Duration.ofSeconds(60));
                assertThat(ready).as("READY=1 within a minute; agentd said:\n%s", read(log)).isNotNull();
                // the first scan announced both panes; nothing is acked with the control plane unreachable
                assertThat(ready.lines()).as("the status of the first scan and the link").anyMatch(l -> l.matches(
                        "STATUS=link disconnected, 2 panes, outbox backlog [1-9]\\d* messages? \\([1-9]\\d* bytes\\)"));
                for (int i = 0; i < 3; i++) {
                    assertThat(systemd.nextWith("WATCHDOG=1", Duration.ofSeconds(30)))
                            .as("watchdog ping %d after READY; agentd said:\n%s", i + 1, read(log)).isNotNull();
                }
                assertThat(agentd.isAlive()).isTrue();
                agentd.destroy(); // SIGTERM, as systemctl stop sends
                assertThat(systemd.nextWith("STOPPING=1", Duration.ofSeconds(30))).as("STOPPING=1 on SIGTERM")
                        .isNotNull();
                assertThat(agentd.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(agentd.exitValue()).as("a clean stop on SIGTERM (the JVM's 143)").isIn(0, 143);
                List<String> all = systemd.all();
                assertThat(all.stream().filter(s -> s.lines().anyMatch("READY=1"::equals))).hasSize(1);
                assertThat(all.getLast()).startsWith("STOPPING=1");
            } finally {
                agentd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
