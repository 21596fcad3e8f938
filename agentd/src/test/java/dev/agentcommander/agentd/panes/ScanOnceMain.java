package dev.agentcommander.agentd.panes;

import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.TestScanner;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ScanOnceMain SOCKET STATE_DIR OUT}: one scan of the tmux server on SOCKET by a real PaneScanner, the
 * sessions it announced written to OUT as JSON (UTF-8 whatever this JVM's locale: the test reads them back).
 * Run in a child JVM by tests that control its environment.
 */
public final class ScanOnceMain {
    private ScanOnceMain() {
    }

    public static void main(String[] args) throws Exception {
        RecordingOutbound out = new RecordingOutbound();
        TestScanner.of(new Tmux("tmux", args[0]), out, Path.of(args[1])).scanOnce();
        Files.writeString(Path.of(args[2]), Json.mapper().writeValueAsString(out.of(AgentMessage.SessionsUpsert.class)
                .stream().map(AgentMessage.SessionsUpsert::session).toList()), StandardCharsets.UTF_8);
    }
}
