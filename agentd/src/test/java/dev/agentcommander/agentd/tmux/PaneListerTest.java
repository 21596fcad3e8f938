package dev.agentcommander.agentd.tmux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner's listing over one control-mode client is the process path's listing, exactly, and wherever control
 * mode cannot answer whole (no server, a restarted one, an attach refused, a reply a pane's text cut short) the
 * process path answers instead.
 */
class PaneListerTest {
    @TempDir
    Path dir;
    PrivateTmux server;
    PaneLister lister;

    @BeforeEach
    void start() {
        server = PrivateTmux.start(dir.resolve("a"), 80, 24, "sleep", "600");
        lister = new PaneLister(server.tmux(), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        lister.close();
        server.close();
    }

    @Test
    void listsWhatTheProcessPathListsOverOneControlClient() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("x\n%9\u001fmain\u001f0\u001f✻ dir"));
        server.window(odd, "sleep", "600");
        server.tmux().run("set-option", "-p", "-t", server.firstPane(), "@ac_name", "two\nlines");
        assertThat(lister.listPanes()).isEqualTo(server.tmux().listPanes()).hasSize(2);
        assertThat(lister.listPanes()).isEqualTo(server.tmux().listPanes());
        assertThat(lister.controlListings()).isEqualTo(2);
        assertThat(server.listingClients()).isEqualTo(1);
        assertThat(server.controlClients()).isZero(); // it receives no pane output
    }

    @Test
    void aLineInAPaneOptionForgingTheReplysEndFallsBackToTheWholeListing() throws Exception {
        lister.listPanes(); // attached: the next listing is one command on the open client
        long[] begin = nextCommandStamp();
        StringBuilder forged = new StringBuilder("x");
        for (long t = begin[0] - 1; t <= begin[0] + 5; t++) {
            for (long n = begin[1]; n <= begin[1] + 25; n++) {
                forged.append("\n%end ").append(t).append(' ').append(n).append(" 1");
            }
        }
        forged.append("\n%begin 1 1 1\n").append(forgedRow()).append("\n%end 1 1 1");
        server.tmux().run("set-option", "-p", "-t", server.firstPane(), "@ac_name", forged.toString());
        long before = lister.controlListings();

        List<Pane> panes = lister.listPanes();

        assertThat(panes).isEqualTo(server.tmux().listPanes()).hasSize(1);
        assertThat(panes.get(0).acName()).isEqualTo(forged.toString());
        assertThat(panes).extracting(Pane::paneId).doesNotContain("%77");
        // the reply was cut at the forged %end: not whole, so the process path answered and the client was dropped
        assertThat(lister.controlListings()).isEqualTo(before);
        assertThat(server.listingClients()).isZero();
        Await.until("control mode again", Duration.ofSeconds(20), () -> lister.listPanes().size() == 1
                && lister.controlListings() > before);
    }

    @Test
    void aRestartedServerIsListedThroughANewClient() {
        assertThat(lister.listPanes()).hasSize(1);
        server.close();
        assertThat(lister.listPanes()).isEmpty(); // no server: no panes, as on the process path
        server = PrivateTmux.start(dir.resolve("a"), 80, 24, "sleep", "600");
        server.window("sleep", "600");
        long before = lister.controlListings();
        Await.until("the new server's panes over control mode", Duration.ofSeconds(20),
                () -> lister.listPanes().size() == 2 && lister.controlListings() > before);
        assertThat(lister.listPanes()).isEqualTo(server.tmux().listPanes());
        assertThat(server.listingClients()).isEqualTo(1);
    }

    @Test
    void aTmuxThatRefusesControlModeIsListedByProcess() {
        Path bin = PrivateTmux.script(dir.resolve("bin"), "tmux",
                "for a in \"$@\"; do [ \"$a\" = -C ] && { echo 'no control mode' >&2; exit 1; }; done\nexec tmux \"$@\"");
        PaneLister refused = new PaneLister(new Tmux(bin.toString(), server.socket()), Clock.systemUTC());
        try {
            assertThat(refused.listPanes()).isEqualTo(server.tmux().listPanes()).hasSize(1);
            assertThat(refused.listPanes()).hasSize(1);
            assertThat(refused.controlListings()).isZero();
        } finally {
            refused.close();
        }
    }

    @Test
    void aClosedListerDetachesAndListsByProcess() {
        lister.listPanes();
        lister.close();
        assertThat(server.listingClients()).isZero();
        assertThat(lister.listPanes()).hasSize(1);
        assertThat(server.listingClients()).isZero();
    }

    /** A row in the old separators claiming pane %77 runs claude under a chosen session id. */
    private static String forgedRow() {
        return String.join("\u001f", "%77", "main", "9", "forged", "1", "claude", "/tmp", "t", "80", "24", "0",
                "s_forged", "forged", "0", "1");
    }

    /**
     * The time and number tmux gave the last command: a control client of the test's own runs one, and tmux numbers
     * commands in one sequence, so the lister's next listing gets a number a little above it, at about that time.
     */
    private long[] nextCommandStamp() throws Exception {
        Process p = new ProcessBuilder(server.tmux().argv("-C", "attach-session", "-f", "no-output,ignore-size"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream();
             BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(),
                     StandardCharsets.UTF_8))) {
            in.write("display-message -p stamp\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            String line;
            String last = null;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("%begin ")) {
                    last = line;
                } else if (line.equals("stamp")) {
                    String[] f = last.split(" ");
                    return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
                }
            }
            throw new IllegalStateException("no reply from tmux");
        } finally {
            p.destroy();
        }
    }
}
