package dev.agentcommander.agentd.tmux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What reaches tmux is data: values arrive literally and never become extra tmux commands. */
class TmuxTest {
    @TempDir
    Path dir;
    PrivateTmux server;
    Tmux tmux;

    @BeforeEach
    void start() {
        server = PrivateTmux.start(dir, 80, 24, "sleep", "600");
        tmux = server.tmux();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aServerWhoseLastSessionWasKilledListsNoPanesInsteadOfFailing() {
        // what a server looks like for the moment between its last session's end and its exit (CI saw the
        // scanner's listing fail there with "no current target"); exit-empty off holds that moment still
        tmux.run("set-option", "-s", "exit-empty", "off");
        tmux.run("kill-session", "-t", "main");
        assertThat(tmux.listPanes()).isEmpty();
    }

    @Test
    void aValueEndingInSemicolonArrivesLiterallyAndStartsNoCommand() {
        tmux.run("set-option", "-t", "main", "@ac_name", "rename me;");
        assertThat(tmux.run("show-options", "-t", "main", "-v", "@ac_name").trim()).isEqualTo("rename me;");
        // without the escape tmux would run new-window as a second command; with it, set-option refuses the extras
        assertThatThrownBy(() -> tmux.run("set-option", "-t", "main", "@ac_name", "a;", "new-window", "-d", "-n",
                "INJECTED")).isInstanceOf(TmuxException.class).hasMessageContaining("too many arguments");
        assertThat(tmux.run("list-windows", "-a", "-F", "#{window_name}")).doesNotContain("INJECTED");
    }

    @Test
    void aLoneSemicolonStillSeparatesCommands() {
        tmux.run("set-option", "-t", "main", "@one", "1", ";", "set-option", "-t", "main", "@two", "2");
        assertThat(tmux.run("show-options", "-t", "main", "-v", "@two").trim()).isEqualTo("2");
    }

    @Test
    void failuresCarryTmuxsOwnMessageAndItsKind() {
        assertThatThrownBy(() -> tmux.run("kill-pane", "-t", "%999")).isInstanceOf(TmuxException.NoSuchTarget.class)
                .hasMessageContaining("%999");
    }

    @Test
    void aSocketWithoutAServerIsNoServerAndListsNoPanes() {
        Tmux none = new Tmux("tmux", dir.resolve("no-server").toString());
        assertThatThrownBy(() -> none.run("list-sessions")).isInstanceOf(TmuxException.NoServer.class);
        assertThat(none.listPanes()).isEmpty();
    }

    @Test
    void aMissingTmuxBinaryIsAnErrorNotAnEmptyServer() {
        Tmux missing = new Tmux(dir.resolve("no-such-tmux").toString(), server.socket());
        assertThatThrownBy(missing::listPanes).isInstanceOf(TmuxException.class)
                .isNotInstanceOf(TmuxException.NoServer.class).hasMessageContaining("no-such-tmux");
    }
}
