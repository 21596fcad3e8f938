package dev.agentcommander.agentd.tmux;

import dev.agentcommander.schema.Ids;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One tmux control-mode client ({@code tmux -u -C attach-session -f ignore-size -t SESSION}) on plain pipes
 * ({@code -u}, as on every tmux call: replies such as capture-pane keep UTF-8 whatever the daemon's locale).
 * It exists so pane output reaches us as tmux reads it (no polling, no file, no use of the pane's single
 * {@code pipe-pane} slot) and so a command's reply lands at an exact point in the output stream: tmux writes
 * command replies and {@code %output} through one ordered queue, which makes a snapshot taken through this
 * client a clean cut between "before" and "after". {@code ignore-size} keeps this invisible client from
 * shrinking anyone's windows; it never sends {@code refresh-client -C}.
 *
 * <p>Command lines are written to tmux only once the attach itself has replied (its {@code %begin ... 0} block):
 * tmux starts reading a control client's stdin before it runs the {@code attach-session} of its command line, so
 * a line written at once may run before the attach — with no session yet, and with output the pane prints between
 * it and the attach reaching this client nowhere (a snapshot taken so lost the lines at its junction). Held lines
 * go out in order; see docs/design-notes.md "Control-mode commands wait for the attach".
 *
 * <p>All callbacks run on the one reader thread, in stream order.
 */
public final class ControlClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControlClient.class.getName());
    private static final int MAX_LINE = 1 << 20;
    private static final int MAX_PENDING_COMMANDS = 256;

    /** Receives what the client reads; called on the reader thread only. */
    public interface Listener {
        /** Decoded output bytes {@code data[0, len)} of one pane; the array is reused after the call. */
        void onOutput(String paneId, byte[] data, int len);

        /** The client ended (session gone, server gone, or {@link #close()}). */
        void onExit(ControlClient client);

        /**
         * tmux paused the pane ({@code %pause}): this client fell more than {@code pause-after} behind it, tmux
         * dropped the output it held for it and sends none until {@link #continuePane} — whatever was printed
         * meanwhile is lost to this client.
         */
        default void onPause(String paneId) {
        }
    }

    /** The reply of one command: its output lines (raw bytes, no newline), and whether tmux said %error. */
    public record Reply(boolean error, List<byte[]> lines) {
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (byte[] l : lines) {
                sb.append(new String(l, StandardCharsets.UTF_8)).append('\n');
            }
            return sb.toString();
        }
    }

    /** What to do with the replies of one command line ({@code blocks} replies, one per command in the line). */
    public interface ReplyHandler {
        void onReplies(List<Reply> replies);
    }

    private record PendingCommand(int blocks, ReplyHandler handler, List<Reply> replies) {
    }

    private final String target;
    private final Process process;
    private final OutputStream stdin;
    private final Listener listener;
    private final ArrayDeque<PendingCommand> pending = new ArrayDeque<>();
    /** Command lines sent before the attach replied, in order; guarded by {@code pending}, null once attached. */
    private List<byte[]> held = new ArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    /**
     * Starts the client attached to {@code target} (a session id like {@code $3}, or any target tmux resolves to
     * a session, e.g. a pane id).
     */
    public ControlClient(Tmux tmux, String target, Listener listener) {
        this(tmux, target, listener, -1);
    }

    /**
     * As above; with {@code pauseAfterSeconds} ≥ 0 tmux pauses a pane this client is that far behind on
     * ({@code pause-after}, tmux 3.2+) instead of buffering without bound (tmux 3.3a disconnects a client 300 s
     * behind), and reports it through {@link Listener#onPause}.
     */
    public ControlClient(Tmux tmux, String target, Listener listener, int pauseAfterSeconds) {
        this(tmux, target, listener, pauseAfterSeconds < 0 ? "ignore-size" : "ignore-size,pause-after="
                + pauseAfterSeconds);
    }

    /**
     * A client attached with the given {@code attach-session -f} flags; {@code target} null attaches to the session
     * tmux itself picks (the most recently used), for a client that only runs commands ({@link PaneLister}).
     */
    ControlClient(Tmux tmux, String target, Listener listener, String flags) {
        this.target = target == null ? "(any session)" : target;
        this.listener = listener;
        List<String> argv = new ArrayList<>(List.of("-C", "attach-session", "-f", flags));
        if (target != null) {
            argv.addAll(List.of("-t", target));
        }
        ProcessBuilder pb = new ProcessBuilder(tmux.argv(argv.toArray(String[]::new)));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            this.process = pb.start();
        } catch (IOException e) {
            throw new TmuxException("cannot start tmux control client: " + e.getMessage(), e);
        }
        this.stdin = process.getOutputStream();
        this.reader = Thread.ofVirtual().name("tmux-control-" + this.target).start(this::readLoop);
    }

    /** Checks a pane id before it goes into a control-mode command line (tmux parses those lines). */
    public static String checkPaneId(String paneId) {
        if (!Ids.isPaneId(paneId)) {
            throw new TmuxException("not a pane id: " + paneId);
        }
        return paneId;
    }

    /**
     * Sends one command line producing {@code blocks} replies (one per {@code ;}-separated command); the handler
     * runs on the reader thread when the last one arrives, or with what arrived if the client ends first.
     */
    public void command(String line, int blocks, ReplyHandler handler) {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a control-mode command is one line");
        }
        synchronized (pending) {
            if (closed) {
                throw new TmuxException("control client for " + target + " is closed");
            }
            if (pending.size() >= MAX_PENDING_COMMANDS) {
                throw new TmuxException("control client for " + target + " has too many commands in flight");
            }
            pending.add(new PendingCommand(blocks, handler, new ArrayList<>(blocks)));
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            if (held != null) {
                held.add(bytes); // bounded by MAX_PENDING_COMMANDS: each held line has its pending entry
                return;
            }
            try {
                stdin.write(bytes);
                stdin.flush();
            } catch (IOException e) {
                pending.removeLast();
                throw new TmuxException("control client for " + target + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The command that resumes a paused pane ({@code refresh-client -A '%N:continue'}): tmux then sends the pane's
     * output from where the pane is now (what it printed while paused is gone). Send it on a line of its own: a
     * failing command (e.g. for a pane this client never saw) skips the rest of its line.
     */
    public static String continuePane(String paneId) {
        return "refresh-client -A '" + checkPaneId(paneId) + ":continue'";
    }

    /** Sends a command whose reply does not matter. */
    public void command(String line) {
        command(line, 1, replies -> { });
    }

    public boolean isAlive() {
        return process.isAlive() && !closed;
    }

    public String target() {
        return target;
    }

    private void readLoop() {
        LineReader lines = new LineReader(process.getInputStream(), MAX_LINE);
        byte[] decoded = new byte[8192];
        PendingCommand current = null;
        List<byte[]> body = null;
        byte[] blockId = null;
        boolean attachBlock = false;
        try {
            byte[] line;
            while ((line = lines.next()) != null) {
                int len = lines.length();
                if (body != null) {
                    boolean end = endsBlock(line, len, END, blockId);
                    boolean error = !end && endsBlock(line, len, ERROR, blockId);
                    if (end || error) {
                        if (attachBlock) {
                            attachBlock = false;
                            if (end) {
                                attached();
                            } // an attach that failed ends the client: the held commands get no replies
                        } else if (current != null) {
                            current.replies.add(new Reply(error, body));
                            // a command that fails ends its line: tmux runs none of the commands after it, so
                            // no more blocks come for this line (waiting would take the next line's)
                            if (current.replies.size() >= current.blocks || error) {
                                deliver(current);
                                current = null;
                            }
                        }
                        body = null;
                    } else {
                        body.add(Arrays.copyOf(line, len));
                    }
                    continue;
                }
                ControlLines.Output out = ControlLines.parseOutput(line, len);
                if (out != null) {
                    if (decoded.length < len) {
                        decoded = new byte[Math.max(len, decoded.length * 2)];
                    }
                    int n = ControlLines.unescape(line, out.dataStart(), len, decoded);
                    try {
                        listener.onOutput(out.paneId(), decoded, n);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "output listener failed", e);
                    }
                } else if (ControlLines.startsWith(line, len, PAUSE)) {
                    String paneId = new String(line, PAUSE.length, len - PAUSE.length, StandardCharsets.US_ASCII);
                    if (Ids.isPaneId(paneId)) {
                        try {
                            listener.onPause(paneId);
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.WARNING, "pause listener failed", e);
                        }
                    }
                } else if (ControlLines.startsWith(line, len, BEGIN)) {
                    body = new ArrayList<>();
                    blockId = Arrays.copyOfRange(line, BEGIN.length, len);
                    // "%begin time number flags": flags 1 = a command this client sent; 0 = the attach itself
                    if (len > 0 && line[len - 1] == '1' && current == null) {
                        synchronized (pending) {
                            current = pending.poll();
                        }
                    } else if (len > 0 && line[len - 1] == '0' && awaitingAttach()) {
                        attachBlock = true; // a client's first flag-0 block is its attach-session
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.WARNING, "tmux control client for {0} failed: {1}", target, e.getMessage());
            }
        } finally {
            closed = true;
            if (current != null) {
                deliver(current);
            }
            synchronized (pending) {
                PendingCommand p;
                while ((p = pending.poll()) != null) {
                    deliver(p);
                }
            }
            process.destroy();
            listener.onExit(this);
        }
    }

    private boolean awaitingAttach() {
        synchronized (pending) {
            return held != null;
        }
    }

    /** The attach replied: from now on a command line runs after it, so the held ones go out, in order. */
    private void attached() {
        synchronized (pending) {
            List<byte[]> lines = held;
            held = null;
            if (closed || lines.isEmpty()) {
                return;
            }
            try {
                for (byte[] l : lines) {
                    stdin.write(l);
                }
                stdin.flush();
            } catch (IOException e) {
                // tmux went away: the reader sees the end and answers every pending command with what it has
                LOG.log(System.Logger.Level.WARNING, "tmux control client for {0}: {1}", target, e.getMessage());
                process.destroy();
            }
        }
    }

    /** A reply ends only at "%end"/"%error" with the same time, number and flags as its "%begin" (pane text
     *  that happens to start with "%end" cannot end it early). */
    private static boolean endsBlock(byte[] line, int len, byte[] kind, byte[] blockId) {
        if (len != kind.length + blockId.length || !ControlLines.startsWith(line, len, kind)) {
            return false;
        }
        return Arrays.equals(line, kind.length, len, blockId, 0, blockId.length);
    }

    private static void deliver(PendingCommand c) {
        try {
            c.handler.onReplies(c.replies);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "control reply handler failed", e);
        }
    }

    private static final byte[] BEGIN = "%begin ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAUSE = "%pause ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "%end ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "%error ".getBytes(StandardCharsets.US_ASCII);

    /** Detaches (closing stdin ends a {@code -C} client) and waits briefly for the process to go. */
    @Override
    public void close() {
        synchronized (pending) {
            closed = true;
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the process is already gone
            }
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
