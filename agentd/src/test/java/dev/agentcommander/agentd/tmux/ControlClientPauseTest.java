package dev.agentcommander.agentd.tmux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tmux's own flow control on a control client that falls behind a flooding pane: with {@code pause-after} it
 * pauses the pane and says so ({@code %pause}), and {@code refresh-client -A '%N:continue'} brings its output back.
 */
class ControlClientPauseTest {
    @TempDir
    Path tmp;

    @Test
    void aClientThatFallsBehindIsToldThePaneIsPausedAndContinueResumesIt() throws Exception {
        try (PrivateTmux panes = PrivateTmux.start(tmp, 80, 24, "bash", "--norc", "--noprofile", "-c",
                "yes flooding-the-control-client")) {
            String pane = panes.firstPane();
            ConcurrentLinkedQueue<String> paused = new ConcurrentLinkedQueue<>();
            AtomicLong bytes = new AtomicLong();
            ControlClient client = new ControlClient(panes.tmux(), pane, new ControlClient.Listener() {
                @Override
                public void onOutput(String paneId, byte[] data, int len) {
                    long before = bytes.getAndAdd(len);
                    if (paused.isEmpty()) {
                        try {
                            // stop reading for 3 s at first, then read slowly: tmux's oldest unsent output is soon
                            // more than pause-after old, however fast or slow this machine runs the pane
                            Thread.sleep(before == 0 ? 3000 : 20);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void onExit(ControlClient c) {
                }

                @Override
                public void onPause(String paneId) {
                    paused.add(paneId);
                }
            }, 1);
            try {
                Await.until("tmux pauses the pane", Duration.ofSeconds(15), () -> !paused.isEmpty());
                assertThat(paused.peek()).isEqualTo(pane);
                Await.until("nothing more arrives while paused", Duration.ofSeconds(10), () -> {
                    long a = bytes.get();
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return bytes.get() == a;
                });
                long before = bytes.get();
                client.command(ControlClient.continuePane(pane));
                Await.until("output flows again after continue", Duration.ofSeconds(5), () -> bytes.get() > before);
                assertThat(client.isAlive()).as("paused, not disconnected").isTrue();
            } finally {
                client.close();
            }
        }
    }
}
