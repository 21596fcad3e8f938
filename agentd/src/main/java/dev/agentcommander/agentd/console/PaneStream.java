package dev.agentcommander.agentd.console;

import dev.agentcommander.agentd.tmux.ControlClient;
import dev.agentcommander.schema.AgentMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One watched pane inside {@link ControlModeConsole}: its subscribers and the one bounded buffer of output not
 * yet sent. Not thread-safe: the console's lock guards it. {@code C} is the console's handle on the control
 * client that carries this pane.
 */
final class PaneStream<C> {
    private static final String SCREEN_FORMAT = "'#{pane_width} #{pane_height} #{cursor_x} #{cursor_y}'";
    /** One subscriber; {@code live} once its snapshot went out, {@code offset} = bytes sent since then. */
    static final class Sub {
        final String sessionId;
        final String subscriptionId;
        long offset;
        boolean live;

        Sub(String sessionId, String subscriptionId) {
            this.sessionId = sessionId;
            this.subscriptionId = subscriptionId;
        }
    }

    final String paneId;
    final C client;
    final List<Sub> subs = new ArrayList<>();
    private final byte[] pending;
    private int pendingLen;
    long lastFlush = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
    /** A keyframe or resync screen has been asked for and not answered yet. */
    boolean screenInFlight;
    private static final int MIN_KEYFRAME_BYTES = 4096;
    private long sinceScreen;
    private int lastScreenBytes;
    private long lastScreen = System.nanoTime();

    PaneStream(String paneId, C client, int maxChunk) {
        this.paneId = paneId;
        this.client = client;
        this.pending = new byte[maxChunk];
    }

    boolean hasPending() {
        return pendingLen > 0;
    }

    /** Buffers output, sending a chunk each time the buffer fills (so it never grows past one chunk). */
    void append(byte[] data, int len, Consumer<AgentMessage> send) {
        int off = 0;
        while (off < len) {
            int n = Math.min(len - off, pending.length - pendingLen);
            System.arraycopy(data, off, pending, pendingLen, n);
            pendingLen += n;
            off += n;
            if (pendingLen == pending.length) {
                flush(send);
            }
        }
    }

    /** Sends what is buffered to every live subscriber, each with its own offset. */
    void flush(Consumer<AgentMessage> send) {
        if (pendingLen == 0) {
            return;
        }
        String data = Base64.getEncoder().encodeToString(Arrays.copyOf(pending, pendingLen));
        for (Sub sub : subs) {
            if (sub.live) {
                send.accept(new AgentMessage.ConsoleChunk(sub.sessionId, sub.subscriptionId, sub.offset, data));
                sub.offset += pendingLen;
            }
        }
        if (anyLive()) {
            sinceScreen += pendingLen;
        }
        pendingLen = 0;
        lastFlush = System.nanoTime();
    }

    /**
     * Whether a keyframe is due: {@code every} has passed since the last screen and more output was sent since it
     * than replaying it is worth, twice the screen's own size (a joiner then gets at most about two screens of
     * tail), but never more than {@code most} and never less than {@link #MIN_KEYFRAME_BYTES}.
     */
    boolean keyframeDue(int most, Duration every) {
        long worth = Math.min(most, Math.max(MIN_KEYFRAME_BYTES, 2L * lastScreenBytes));
        return sinceScreen >= worth && System.nanoTime() - lastScreen >= every.toNanos() && anyLive();
    }

    /** A screen of {@code bytes} went out: the count towards the next keyframe starts again. */
    void screenSent(int bytes) {
        sinceScreen = 0;
        lastScreenBytes = bytes;
        lastScreen = System.nanoTime();
    }

    Sub find(String sessionId, String subscriptionId) {
        for (Sub s : subs) {
            if (s.sessionId.equals(sessionId) && s.subscriptionId.equals(subscriptionId)) {
                return s;
            }
        }
        return null;
    }

    boolean anyLive() {
        for (Sub s : subs) {
            if (s.live) {
                return true;
            }
        }
        return false;
    }

    /** Control-mode reply lines back into capture-pane's output (each line ends in a newline). */
    static byte[] join(List<byte[]> lines) {
        int n = 0;
        for (byte[] l : lines) {
            n += l.length + 1;
        }
        byte[] out = new byte[n];
        int p = 0;
        for (byte[] l : lines) {
            System.arraycopy(l, 0, out, p, l.length);
            p += l.length;
            out[p++] = '\n';
        }
        return out;
    }

    static Integer toInt(String[] f, int i) {
        try {
            return i < f.length ? Integer.valueOf(f[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The command line whose two replies make a screen: size and cursor, then {@code capture-pane}. */
    static String screenCommand(String paneId) {
        return "display-message -p -t " + paneId + " " + SCREEN_FORMAT + " ; capture-pane -p -e -J -t " + paneId;
    }

    /** A snapshot message for {@code sub} from the replies of {@link #screenCommand}, cut at its offset now. */
    static AgentMessage.Snapshot snapshot(PaneStream.Sub sub, List<ControlClient.Reply> replies,
                                          String reason) {
        String[] f = replies.get(0).text().trim().split(" ");
        byte[] screen = PaneStream.join(replies.get(1).lines());
        return new AgentMessage.Snapshot(sub.sessionId, sub.subscriptionId, PaneStream.toInt(f, 0),
                PaneStream.toInt(f, 1), PaneStream.toInt(f, 2), PaneStream.toInt(f, 3),
                Base64.getEncoder().encodeToString(screen), sub.offset, reason);
    }
}
