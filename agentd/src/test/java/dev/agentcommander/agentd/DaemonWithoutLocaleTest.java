package dev.agentcommander.agentd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.BareJvm;
import dev.agentcommander.agentd.testkit.JvmArgs;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agentd process itself, started as a systemd unit without LANG starts it: only PATH and HOME. */
class DaemonWithoutLocaleTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;

    @BeforeEach
    void startTmux() {
        server = PrivateTmux.start(tmp);
    }

    @AfterEach
    void stopTmux() {
        server.close();
    }

    @Test
    void agentdWithOnlyPathAndHomeAnnouncesEveryPaneWithItsExactPathAndSaysItHasNoUtf8Locale() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("café ✻"));
        String first = server.firstPane();
        String inDir = server.window(dir, "sleep", "600");
        Path state = tmp.resolve("state");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) { // the link fails and retries: panes are scanned regardless
            closedPort = s.getLocalPort();
        }
        Path config = tmp.resolve("config.yaml");
        Files.writeString(config, """
                control_plane:
                  url: ws://127.0.0.1:%d/v1/agent
                  token: secret
                host_name: box-1
                tmux:
                  socket: "%s"
                  poll_interval_ms: 100
                storage:
                  state_dir: "%s"
                hooks:
                  listen: "127.0.0.1:0"
                """.formatted(closedPort, server.socket(), state));
        Path announced = state.resolve("sessions.json");

        try (BareJvm agentd = BareJvm.start(tmp, tmp.resolve("agentd.log"), JvmArgs.chronicle(LauncherTest.JVM_ARGS),
                Main.class.getName(), "run", "--config", config.toString())) {
            Await.until("agentd announcing both panes with the pane's real path", Duration.ofSeconds(60),
                    () -> cwds(announced).contains(inDir + " " + dir) && cwds(announced).stream()
                            .anyMatch(s -> s.startsWith(first + " ")));
            assertThat(agentd.alive()).isTrue();
            assertThat(agentd.output()).contains("without a UTF-8 locale").contains("LANG=C.UTF-8");
        }
        assertThat(cwds(announced)).hasSize(2);
    }

    /** "paneId cwd" of every session agentd has announced so far (it keeps them in state_dir/sessions.json). */
    private static List<String> cwds(Path announced) {
        try {
            if (!Files.exists(announced)) {
                return List.of();
            }
            List<Session> sessions = Json.mapper().readValue(Files.readString(announced), new TypeReference<>() { });
            return sessions.stream().map(s -> s.tmux().paneId() + " " + s.cwd()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
