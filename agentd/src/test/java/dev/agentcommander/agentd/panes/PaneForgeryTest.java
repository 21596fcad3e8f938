package dev.agentcommander.agentd.panes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.TestScanner;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pane's own processes choose (the directory they sit in, argv[0], the pane options any process may set)
 * cannot make the scanner announce a session that is not a pane, move a session to another pane, or put a junk id
 * on the wire.
 */
class PaneForgeryTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;
    private final RecordingOutbound out = new RecordingOutbound();

    @BeforeEach
    void startTmux() {
        server = PrivateTmux.start(tmp);
    }

    @AfterEach
    void stopTmux() {
        server.close();
    }

    private PaneScanner scanner() {
        return TestScanner.of(server.tmux(), out, tmp.resolve("state"));
    }

    private List<Session> upserted() {
        return out.of(AgentMessage.SessionsUpsert.class).stream().map(AgentMessage.SessionsUpsert::session).toList();
    }

    private String paneFormat(String pane, String format) {
        return server.tmux().run("display-message", "-p", "-t", pane, format);
    }

    /** A list-panes row in the separators agentd used to read, claiming {@code paneId} runs claude. */
    private static String forgedRow(String paneId, String sessionId) {
        return String.join("\u001f", paneId, "main", "9", "forged", "1", "claude", "tmp", "t", "80", "24", "0",
                sessionId, "forged", "0");
    }

    @Test
    void aDirectoryNameOrArgv0HoldingWholeRowsForgesNoSessionAndHidesNoPane() throws Exception {
        String victim = server.firstPane();
        Path dir = Files.createDirectories(tmp.resolve("d\n" + forgedRow(victim, "s_forgedcwd")));
        String inDir = server.window(dir, "sleep", "600");
        Path argv0 = tmp.resolve("argv0");
        Files.writeString(argv0, "sleep\n" + forgedRow(victim, "s_forgedargv"), StandardCharsets.UTF_8);
        Path script = PrivateTmux.script(tmp.resolve("bin"), "renamed",
                "exec bash -c 'exec -a \"$(cat \"$0\")\" sleep 600' " + argv0);
        String renamed = server.window(tmp, script.toString());
        Await.until("tmux reporting the forged directory and argv[0]", Duration.ofSeconds(10),
                () -> paneFormat(inDir, "#{pane_current_path}").contains("s_forgedcwd")
                        && paneFormat(renamed, "#{pane_current_command}").contains("s_forgedargv"));

        PaneScanner scanner = scanner();
        scanner.scanOnce();
        // the listing came over the scanner's control-mode client (a listing it could not read whole drops it)
        assertThat(server.listingClients()).isEqualTo(1);

        assertThat(upserted()).extracting(s -> s.tmux().paneId()).containsExactlyInAnyOrder(victim, inDir, renamed);
        assertThat(upserted()).allSatisfy(s -> {
            assertThat(s.sessionId()).matches("s_[a-z0-9]{20}");
            assertThat(s.name()).isNotEqualTo("forged");
            assertThat(s.provider()).isNotEqualTo(Provider.CLAUDE);
        });
        assertThat(scanner.byPaneId(inDir).orElseThrow().cwd()).isEqualTo(dir.toString());
        assertThat(scanner.byPaneId(victim).orElseThrow().tmux().window()).isEqualTo("0");
    }

    @Test
    void aMalformedOrOversizedStoredSessionIdIsReplacedAndNeverSent() {
        String newline = server.firstPane();
        String oversized = server.window(tmp, "sleep", "600");
        String junk = "s_x\n%0\u001fclaude";
        String huge = "s_" + "a".repeat(Ids.MAX_LENGTH);
        server.tmux().run("set-option", "-p", "-t", newline, SessionIds.OPTION, junk);
        server.tmux().run("set-option", "-p", "-t", oversized, SessionIds.OPTION, huge);

        PaneScanner scanner = scanner();
        scanner.scanOnce();

        assertThat(upserted()).hasSize(2).allSatisfy(s -> assertThat(Ids.isOpaque(s.sessionId())).isTrue());
        assertThat(upserted()).extracting(Session::sessionId).doesNotContain(junk, huge);
        for (String pane : List.of(newline, oversized)) { // the pane now carries the id that was announced
            assertThat(paneFormat(pane, "#{" + SessionIds.OPTION + "}").strip())
                    .isEqualTo(scanner.byPaneId(pane).orElseThrow().sessionId());
        }
        assertThat(new SessionIds().ensure(server.tmux(), newline))
                .isEqualTo(scanner.byPaneId(newline).orElseThrow().sessionId());
    }

    @Test
    void aPaneThatCopiesAnotherPanesSessionIdGetsANewOneAndTheSessionStaysPut() {
        String thief = server.firstPane(); // listed first, so a first-come rule would hand it the session
        String owner = server.window(tmp, "sleep", "600");
        PaneScanner scanner = scanner();
        scanner.scanOnce();
        String ownerId = scanner.byPaneId(owner).orElseThrow().sessionId();

        server.tmux().run("set-option", "-p", "-t", thief, SessionIds.OPTION, ownerId);
        scanner.scanOnce();

        assertThat(scanner.bySessionId(ownerId).orElseThrow().tmux().paneId()).isEqualTo(owner);
        String thiefId = scanner.byPaneId(thief).orElseThrow().sessionId();
        assertThat(thiefId).isNotEqualTo(ownerId);
        assertThat(paneFormat(thief, "#{" + SessionIds.OPTION + "}").strip()).isEqualTo(thiefId);
        assertThat(paneFormat(owner, "#{" + SessionIds.OPTION + "}").strip()).isEqualTo(ownerId);
    }
}
