package dev.agentcommander.agentd.tmux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replies are matched to command lines by order alone, so each line must take exactly its own blocks: a burst of
 * commands is answered in order, each with its own replies, and a line whose first command fails ends there
 * (tmux runs nothing after a failed command on its line): its handler gets the one error block, and the next
 * line's blocks stay the next line's. Before, such a line waited for a second block and took the next line's,
 * and every reply after it was one block off.
 */
class ControlClientRepliesTest {
    @TempDir
    Path tmp;

    private static final ControlClient.Listener QUIET = new ControlClient.Listener() {
        @Override
        public void onOutput(String paneId, byte[] data, int len) {
        }

        @Override
        public void onExit(ControlClient c) {
        }
    };

    @Test
    void aBurstOfCommandsIsAnsweredInOrderEachWithItsOwnReplies() throws Exception {
        try (PrivateTmux panes = PrivateTmux.start(tmp);
             ControlClient client = new ControlClient(panes.tmux(), panes.firstPane(), QUIET, 5)) {
            List<String> answers = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                done.add(f);
                int n = i;
                client.command("display-message -p 'a" + n + "' ; display-message -p 'b" + n + "'", 2, replies -> {
                    answers.add(replies.get(0).text().trim() + "+" + replies.get(1).text().trim());
                    f.complete(null);
                });
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add("a" + i + "+b" + i);
            }
            assertThat(answers).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aLineWhoseFirstCommandFailsEndsThereAndTheNextLineKeepsItsReplies() throws Exception {
        try (PrivateTmux panes = PrivateTmux.start(tmp);
             ControlClient client = new ControlClient(panes.tmux(), panes.firstPane(), QUIET, 5)) {
            CompletableFuture<List<ControlClient.Reply>> failed = new CompletableFuture<>();
            CompletableFuture<List<ControlClient.Reply>> next = new CompletableFuture<>();
            CompletableFuture<List<ControlClient.Reply>> last = new CompletableFuture<>();
            client.command("kill-pane -t %9999 ; display-message -p never", 2, failed::complete);
            client.command("display-message -p one ; display-message -p two", 2, next::complete);
            client.command("display-message -p three", 1, last::complete);

            List<ControlClient.Reply> f = failed.get(10, TimeUnit.SECONDS);
            assertThat(f).hasSize(1);
            assertThat(f.get(0).error()).isTrue();
            List<ControlClient.Reply> n = next.get(10, TimeUnit.SECONDS);
            assertThat(n).extracting(r -> r.text().trim()).containsExactly("one", "two");
            assertThat(last.get(10, TimeUnit.SECONDS)).extracting(r -> r.text().trim()).containsExactly("three");
        }
    }
}
