package dev.agentcommander.agentd.tmux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tmux reads a control client's stdin before it has run the client's own {@code attach-session}, so a command
 * written at once can run unattached (tmux 3.3a did so about half the time here); output the pane printed between
 * that command and the attach then reached the client nowhere, and a console snapshot lost the lines at its
 * junction. The client holds its commands until the attach has replied.
 */
class ControlClientAttachTest {
    @TempDir
    Path tmp;

    @Test
    void aCommandSentRightAfterStartingTheClientRunsOnceItIsAttached() throws Exception {
        try (PrivateTmux panes = PrivateTmux.start(tmp)) {
            String pane = panes.firstPane();
            // many fresh clients: any one whose command ran before its attach prints an empty client_session
            for (int i = 0; i < 20; i++) {
                CompletableFuture<List<ControlClient.Reply>> replies = new CompletableFuture<>();
                ControlClient client = new ControlClient(panes.tmux(), pane, new ControlClient.Listener() {
                    @Override
                    public void onOutput(String paneId, byte[] data, int len) {
                    }

                    @Override
                    public void onExit(ControlClient c) {
                    }
                }, 5);
                try {
                    client.command("display-message -p 'client of [#{client_session}]' ; "
                            + ControlClient.continuePane(pane), 2, replies::complete);
                    List<ControlClient.Reply> got = replies.get(10, TimeUnit.SECONDS);
                    assertThat(got).as("client %d", i).hasSize(2);
                    assertThat(got.get(0).text().trim()).as("client %d", i)
                            .isEqualTo("client of [" + PrivateTmux.SESSION + "]");
                    // refresh-client fails with "no current client" when run before the attach
                    assertThat(got.get(1).error()).as("client %d: %s", i, got.get(1).text()).isFalse();
                } finally {
                    client.close();
                }
            }
        }
    }
}
