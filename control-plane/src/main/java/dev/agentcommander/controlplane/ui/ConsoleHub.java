package dev.agentcommander.controlplane.ui;

import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.link.CommandService;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.UiEvent;
import dev.agentcommander.schema.loop.NamedLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Console streams of this replica. The first dashboard watching a session makes the replica ask the host for the
 * console (a {@code console.subscribe} command through the reliable command path); {@link #LINGER} after the last
 * one left, it stops it. The linger is the debounce: a dashboard flipping between sessions, or a script cycling
 * subscribe/unsubscribe, costs one command per session, not one per cycle (each command is a row and an audit
 * line). A bounded tail (the last snapshot + the chunks after it, at most {@link #TAIL_BYTES}) lets a late joiner
 * start from a full screen; the host cuts a keyframe snapshot now and then so that the tail stays short. A tail
 * that outgrows its bound before the next keyframe is dropped whole (a screen with a hole after it would draw
 * wrong): joiners then wait for the next snapshot. Console bytes are never stored in Postgres.
 *
 * <p>Fan-out runs on the publisher's thread (the host's socket reader) but costs it one append per watcher: each
 * watcher is a {@link ConsoleLane} of its socket's {@link UiOutbox}, which encodes and writes on that socket's own
 * writer, and drops that watcher's oldest output (with a marker and a fresh screen) when it falls behind. So a
 * slow dashboard never slows the host's link, other dashboards or other sessions. Locks: the map's (streams come
 * and go), then one per stream, then the outbox's; never the other way round.
 *
 * <p>Only the session's own host may feed its stream: a console frame is taken only from the host the session row
 * names (cached with the stream; a session id cannot change hosts) and only with the subscription id this replica
 * asked that host for. Anything else, another host's bytes for this session id above all, is dropped before it
 * reaches a viewer or the tail.
 */
public final class ConsoleHub implements AutoCloseable {
    static final int TAIL_BYTES = 160 * 1024;
    /** How long a stream nobody watches is kept running (and its tail kept) before the host is told to stop. */
    static final Duration LINGER = Duration.ofSeconds(10);
    private static final long SWEEP_MS = 250;
    private static final System.Logger LOG = System.getLogger(ConsoleHub.class.getName());

    /** A dashboard subscription: its {@code sub} and the lane its frames go to. */
    record Watcher(String sub, ConsoleLane lane) {
    }

    /** What a watcher that falls behind redraws from: the stream's screen (null: none yet) and the chunks after it. */
    record CatchUp(UiEvent.ConsoleSnapshot screen, List<UiEvent.ConsoleChunk> tail) {
    }

    private static final class Stream {
        final String hostId;
        final String sessionId;
        final String subscriptionId = "cs_" + UUID.randomUUID().toString().replace("-", "");
        final Set<Watcher> watchers = new LinkedHashSet<>();
        AgentMessage.Snapshot snapshot;
        final Deque<AgentMessage.ConsoleChunk> chunks = new ArrayDeque<>();
        long bytes;
        /** The offset the next chunk should have (-1 until the first frame). */
        long nextOffset = -1;
        /** Whether a screen ever came (then a stream without one has dropped its tail). */
        boolean hadScreen;
        /** Since when nobody watches (null while someone does). */
        Instant idleSince;

        Stream(String hostId, String sessionId) {
            this.hostId = hostId;
            this.sessionId = sessionId;
        }

        CatchUp catchUp(String sub) {
            if (snapshot == null) {
                return new CatchUp(null, List.of());
            }
            List<UiEvent.ConsoleChunk> tail = new ArrayList<>(chunks.size());
            chunks.forEach(c -> tail.add(chunkEvent(sub, c)));
            return new CatchUp(snapshotEvent(sub, sessionId, snapshot), tail);
        }
    }

    /** Commands waiting for {@link #issuer} (a viewer's socket reader waits while it is full, keeping their order). */
    private static final int PENDING = 1024;
    /** Commands one transaction stores at most. */
    private static final int ISSUE_BATCH = 256;

    private final CommandService commands;
    private final Clock clock;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final AutoCloseable fanOutHandle;
    private final NamedLoop sweeper;
    private final BlockingQueue<CommandService.ForHost> pending = new ArrayBlockingQueue<>(PENDING);
    private final NamedLoop issuer;

    public ConsoleHub(CommandService commands, FanOut fanOut, Clock clock) {
        this.commands = commands;
        this.clock = clock;
        this.fanOutHandle = fanOut.subscribe(this::onChange);
        this.sweeper = NamedLoop.start("console-linger", () -> {
            Thread.sleep(SWEEP_MS);
            stopIdle();
        });
        this.issuer = NamedLoop.start("console-commands", this::issueRound);
    }

    /**
     * Stores the waiting subscribe/unsubscribe commands, in the order they were asked for, in one transaction. A
     * join used to store its command on the viewer's socket reader, one commit each: a dashboard opening 100
     * consoles on a loaded machine issued them over 4 s, and the last screens came as late.
     */
    private void issueRound() throws InterruptedException {
        CommandService.ForHost first = pending.poll(SWEEP_MS, TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        List<CommandService.ForHost> batch = new ArrayList<>();
        batch.add(first);
        pending.drainTo(batch, ISSUE_BATCH - 1);
        try {
            commands.issueAll("system:console", null, batch);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not issue " + batch.size() + " console commands: "
                    + e.getMessage());
        }
    }

    /** The watcher joins: its lane gets {@code subscribed}, then the stream's screen and tail when there is one. */
    void join(String hostId, String sessionId, Watcher w) {
        String startSub = null;
        synchronized (this) {
            Stream s = streams.get(sessionId);
            if (s == null) {
                s = new Stream(hostId, sessionId);
                streams.put(sessionId, s);
                startSub = s.subscriptionId;
            }
            synchronized (s) {
                s.idleSince = null;
                CatchUp up = s.catchUp(w.sub());
                w.lane().start(up.screen(), up.tail(), s.hadScreen && s.snapshot == null);
                s.watchers.add(w);
            }
        }
        if (startSub != null) {
            issue(hostId, new CommandSpec.ConsoleSubscribe(sessionId, startSub));
        }
    }

    /** The watcher leaves; the last one to leave starts the stream's linger (see {@link #stopIdle}). */
    void leave(String sessionId, Watcher w) {
        Stream s = streams.get(sessionId);
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (s.watchers.remove(w) && s.watchers.isEmpty()) {
                s.idleSince = clock.instant();
            }
        }
    }

    /** Stops the streams nobody has watched for {@link #LINGER}: each host is told once, outside the locks. */
    void stopIdle() {
        Instant cutoff = clock.instant().minus(LINGER);
        Map<String, Stream> stop = new HashMap<>();
        synchronized (this) {
            streams.entrySet().removeIf(e -> {
                Stream s = e.getValue();
                synchronized (s) {
                    Instant idle = s.idleSince;
                    if (idle != null && !idle.isAfter(cutoff)) {
                        stop.put(e.getKey(), s);
                        return true;
                    }
                    return false;
                }
            });
        }
        stop.forEach((sessionId, s) -> issue(s.hostId, new CommandSpec.ConsoleUnsubscribe(sessionId,
                s.subscriptionId)));
    }

    /**
     * A host (re)connected: it may have lost its console subscriptions (agentd restarted), so each stream of that
     * host is asked for again under the same subscription id, which agentd treats as a re-subscribe.
     */
    public void hostConnected(String hostId) {
        List<CommandSpec> again = new ArrayList<>();
        streams.forEach((sessionId, s) -> {
            if (s.hostId.equals(hostId)) {
                again.add(new CommandSpec.ConsoleSubscribe(sessionId, s.subscriptionId));
            }
        });
        again.forEach(spec -> issue(hostId, spec));
    }

    /** Hands a command to {@link #issuer} (in order; waits while {@link #PENDING} are waiting). */
    private void issue(String hostId, CommandSpec spec) {
        try {
            pending.put(new CommandService.ForHost(hostId, spec));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.log(System.Logger.Level.WARNING, "could not issue " + spec.name() + ": interrupted");
        }
    }

    /** Whether a stream of this replica asked for {@code subscriptionId} of {@code sessionId}. */
    public boolean owns(String sessionId, String subscriptionId) {
        Stream s = streams.get(sessionId);
        return s != null && s.subscriptionId.equals(subscriptionId);
    }

    private void onChange(FanOut.Change change) {
        if (change instanceof FanOut.HostConnected h) {
            hostConnected(h.hostId());
            return;
        }
        if (!(change instanceof FanOut.Console c)) {
            return;
        }
        Stream s = streams.get(c.sessionId());
        if (s == null || !s.hostId.equals(c.hostId())) {
            return; // nobody watches here, or another host names this session: never relayed, never kept
        }
        synchronized (s) {
            switch (c.message()) {
                case AgentMessage.Snapshot snap when s.subscriptionId.equals(snap.subscriptionId()) -> onScreen(s, snap);
                case AgentMessage.ConsoleChunk chunk when s.subscriptionId.equals(chunk.subscriptionId()) ->
                        onChunk(s, chunk);
                default -> { }
            }
        }
    }

    /** A new screen becomes the tail's base; a keyframe goes only to watchers waiting for one (caller holds s). */
    private static void onScreen(Stream s, AgentMessage.Snapshot snap) {
        s.snapshot = snap;
        s.hadScreen = true;
        s.chunks.clear();
        s.bytes = snap.data().length();
        s.nextOffset = snap.cutAt();
        for (Watcher w : s.watchers) {
            UiEvent.ConsoleSnapshot e = snapshotEvent(w.sub(), s.sessionId, snap);
            if (snap.keyframe()) {
                w.lane().keyframe(e);
            } else {
                w.lane().screen(e, snap.resync());
            }
        }
    }

    /** Live output: kept in the tail (or the tail dropped whole past its bound), then one append per watcher. */
    private static void onChunk(Stream s, AgentMessage.ConsoleChunk chunk) {
        long gap = s.nextOffset < 0 ? 0 : chunk.offset() - s.nextOffset;
        s.nextOffset = chunk.offset() + decodedLength(chunk.data());
        if (gap > 0) { // the host dropped output (its outbox over budget): say so; the screen may be off till the next
            LOG.log(System.Logger.Level.INFO, "console " + s.sessionId + ": " + gap + " bytes missing from the host");
            s.snapshot = null;
            s.chunks.clear();
            s.bytes = 0;
            s.watchers.forEach(w -> w.lane().hostSkipped(gap));
        }
        if (s.snapshot != null) {
            s.chunks.addLast(chunk);
            s.bytes += chunk.data().length();
            if (s.bytes > TAIL_BYTES) {
                s.snapshot = null; // joiners wait for the next screen rather than draw a screen with a hole after it
                s.chunks.clear();
                s.bytes = 0;
            }
        }
        for (Watcher w : s.watchers) {
            w.lane().chunk(chunkEvent(w.sub(), chunk), () -> s.catchUp(w.sub()));
        }
    }

    /** Stops the linger sweep and leaves fan-out; the hosts' streams end when their connections do. */
    @Override
    public void close() {
        sweeper.close();
        issuer.close();
        try {
            fanOutHandle.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "fan-out handle: " + e.getMessage());
        }
    }

    /** Bytes a base64 text decodes to (padded or not), without decoding it. */
    static long decodedLength(String b64) {
        int n = b64.length();
        int pad = n > 0 && b64.charAt(n - 1) == '=' ? (n > 1 && b64.charAt(n - 2) == '=' ? 2 : 1) : 0;
        return (long) (n - pad) * 3 / 4;
    }

    private static UiEvent.ConsoleSnapshot snapshotEvent(String sub, String sessionId, AgentMessage.Snapshot s) {
        UiEvent.Cursor cursor = s.cursorX() == null || s.cursorY() == null ? null
                : new UiEvent.Cursor(s.cursorX(), s.cursorY());
        return new UiEvent.ConsoleSnapshot(sub, sessionId, s.cols(), s.rows(), cursor, s.data(), s.cutAt());
    }

    private static UiEvent.ConsoleChunk chunkEvent(String sub, AgentMessage.ConsoleChunk c) {
        return new UiEvent.ConsoleChunk(sub, c.sessionId(), c.offset(), c.data());
    }
}
