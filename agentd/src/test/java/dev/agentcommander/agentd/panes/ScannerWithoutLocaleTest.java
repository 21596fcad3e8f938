package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.BareJvm;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentd under a systemd unit without LANG: its tmux clients inherit no locale, and tmux then replaced every byte
 * outside printable ASCII with {@code _} (the field separators included), so the scanner saw no pane at all and
 * reported every live session removed.
 */
class ScannerWithoutLocaleTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;

    @BeforeEach
    void startTmux() {
        server = PrivateTmux.start(tmp); // under the test JVM's own (UTF-8) locale
    }

    @AfterEach
    void stopTmux() {
        server.close();
    }

    @Test
    void aScannerWithoutLocaleSeesEveryPaneWithItsExactNonAsciiPath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("répertoire-ünï ✻"));
        String first = server.firstPane();
        String inDir = server.window(dir, "sleep", "600");
        Await.until("tmux reporting the pane's path", Duration.ofSeconds(10), () -> server.tmux()
                .run("display-message", "-p", "-t", inDir, "#{pane_current_path}").strip().equals(dir.toString()));
        Path result = tmp.resolve("sessions.json");

        try (BareJvm scan = BareJvm.start(tmp, tmp.resolve("scan.log"), List.of(), ScanOnceMain.class.getName(),
                server.socket(), tmp.resolve("state").toString(), result.toString())) {
            assertThat(scan.waitFor(60)).as(scan.output()).isZero();
        }

        List<Session> sessions = Json.mapper().readValue(Files.readString(result), new TypeReference<>() { });
        assertThat(sessions).extracting(s -> s.tmux().paneId()).containsExactlyInAnyOrder(first, inDir);
        assertThat(sessions).filteredOn(s -> s.tmux().paneId().equals(inDir)).singleElement()
                .extracting(Session::cwd).isEqualTo(dir.toString());
    }
}
