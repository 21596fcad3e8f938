package dev.agentcommander.agentd.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingConsole;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.TestScanner;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.ServerMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command for a session the scanner has not seen yet is looked up in tmux itself; a pane option holding a
 * newline and a forged "pane id, session id" line must not send it to another pane.
 */
class CommandTargetForgeryTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;
    private CommandExecutor executor;

    @BeforeEach
    void start() {
        server = PrivateTmux.start(tmp);
        RecordingOutbound out = new RecordingOutbound();
        executor = new CommandExecutor(server.tmux(), out, TestScanner.of(server.tmux(), out, tmp.resolve("state")),
                new RecordingConsole(), new SessionIds(), new Spawner(server.tmux(), new SessionIds(),
                        new Spawner.Settings("claude", "codex", "/bin/sh", null), Spawner.HookInstaller.NONE),
                CommandExecutorTest.jobs(out, tmp.resolve("state")), tmp.resolve("state"));
    }

    @AfterEach
    void stop() {
        executor.close();
        server.close();
    }

    private String catPane(Path file) {
        return server.window(tmp, "sh", "-c", "stty -echo; exec cat > " + file);
    }

    @Test
    void aForgedLineInAPaneOptionDoesNotRouteACommandToAnotherPane() throws Exception {
        Path victimFile = tmp.resolve("victim.txt");
        String victim = catPane(victimFile);
        String forger = server.firstPane();
        server.tmux().run("set-option", "-p", "-t", forger, SessionIds.OPTION, "s_junk\n" + victim + " s_target");

        var r = executor.execute(new ServerMessage.Command("c1", "send_input",
                Json.mapper().createObjectNode().put("session_id", "s_target").put("text", "rm -rf ~")
                        .put("submit", true)));

        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("unknown session");
        assertThat(Files.exists(victimFile) ? Files.readString(victimFile) : "").isEmpty();

        // the same lookup still finds a real, not yet scanned session
        server.tmux().run("set-option", "-p", "-t", victim, SessionIds.OPTION, "s_target");
        var ok = executor.execute(new ServerMessage.Command("c2", "send_input",
                Json.mapper().createObjectNode().put("session_id", "s_target").put("text", "hi").put("submit", true)));
        assertThat(ok.ok()).as(ok.error()).isTrue();
        Await.until("the text in the real session's pane", Duration.ofSeconds(5),
                () -> Files.exists(victimFile) && read(victimFile).equals("hi\n"));
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
