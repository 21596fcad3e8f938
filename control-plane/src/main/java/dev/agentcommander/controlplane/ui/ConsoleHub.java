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
import java.util.function.Consumer;

/**
 * Console streams of this replica. The first dashboard watching a session makes the replica ask the host for the
 * console (a {@code console.subscribe} command through the reliable command path); {@link #LINGER} after the last
 * one left, it stops it. The linger is the debounce: a dashboard flipping between sessions, or a script cycling
 * subscribe/unsubscribe, costs one command per session, not one per cycle (each command is a row and an audit
 * line). A bounded tail (last snapshot + the chunks after it, at most {@link #TAIL_BYTES}) lets a late joiner
 * start from a full screen. Console bytes are never stored in Postgres.
 *
 * <p>Only the session's own host may feed its stream: a console frame is taken only from the host the session row
 * names (cached with the stream; a session id cannot change hosts) and only with the subscription id this replica
 * asked that host for. Anything else, another host's bytes for this session id above all, is dropped before it
 * reaches a viewer or the tail.
 */
public final class ConsoleHub implements AutoCloseable {
    private static final int TAIL_BYTES = 1 << 20;
    /** How long a stream nobody watches is kept running (and its tail kept) before the host is told to stop. */
    static final Duration LINGER = Duration.ofSeconds(10);
    private static final long SWEEP_MS = 250;
    private static final System.Logger LOG = System.getLogger(ConsoleHub.class.getName());

    /** A dashboard subscription: its {@code sub} and where its encoded frames go. */
    record Watcher(String sub, Consumer<String> sink) {
    }

    private static final class Stream {
        final String hostId;
        final String subscriptionId = "cs_" + UUID.randomUUID().toString().replace("-", "");
        final Set<Watcher> watchers = new LinkedHashSet<>();
        AgentMessage.Snapshot snapshot;
        final Deque<AgentMessage.ConsoleChunk> chunks = new ArrayDeque<>();
        long bytes;
        /** Since when nobody watches (null while someone does). */
        Instant idleSince;

        Stream(String hostId) {
            this.hostId = hostId;
        }
    }

    private final CommandService commands;
    private final Clock clock;
    private final Map<String, Stream> streams = new HashMap<>();
    private final AutoCloseable fanOutHandle;
    private final NamedLoop sweeper;

    public ConsoleHub(CommandService commands, FanOut fanOut, Clock clock) {
        this.commands = commands;
        this.clock = clock;
        this.fanOutHandle = fanOut.subscribe(this::onChange);
        this.sweeper = NamedLoop.start("console-linger", () -> {
            Thread.sleep(SWEEP_MS);
            stopIdle();
        });
    }

    void join(String hostId, String sessionId, Watcher w) {
        String startSub = null;
        synchronized (this) {
            Stream s = streams.get(sessionId);
            if (s == null) {
                s = new Stream(hostId);
                streams.put(sessionId, s);
                startSub = s.subscriptionId;
            } else {
                s.idleSince = null;
                if (s.snapshot != null) {
                    w.sink().accept(snapshotFrame(w.sub(), sessionId, s.snapshot));
                }
                for (AgentMessage.ConsoleChunk c : s.chunks) {
                    w.sink().accept(chunkFrame(w.sub(), c));
                }
            }
            s.watchers.add(w);
        }
        if (startSub != null) {
            issue(hostId, new CommandSpec.ConsoleSubscribe(sessionId, startSub));
        }
    }

    /** The watcher leaves; the last one to leave starts the stream's linger (see {@link #stopIdle}). */
    synchronized void leave(String sessionId, Watcher w) {
        Stream s = streams.get(sessionId);
        if (s != null && s.watchers.remove(w) && s.watchers.isEmpty()) {
            s.idleSince = clock.instant();
        }
    }

    /** Stops the streams nobody has watched for {@link #LINGER}: each host is told once, outside the lock. */
    void stopIdle() {
        Instant cutoff = clock.instant().minus(LINGER);
        Map<String, Stream> stop = new HashMap<>();
        synchronized (this) {
            streams.entrySet().removeIf(e -> {
                Instant idle = e.getValue().idleSince;
                if (idle != null && !idle.isAfter(cutoff)) {
                    stop.put(e.getKey(), e.getValue());
                    return true;
                }
                return false;
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
        synchronized (this) {
            streams.forEach((sessionId, s) -> {
                if (s.hostId.equals(hostId)) {
                    again.add(new CommandSpec.ConsoleSubscribe(sessionId, s.subscriptionId));
                }
            });
        }
        again.forEach(spec -> issue(hostId, spec));
    }

    private void issue(String hostId, CommandSpec spec) {
        try {
            commands.issue("system:console", null, hostId, spec);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not issue " + spec.name() + ": " + e.getMessage());
        }
    }

    private synchronized void onChange(FanOut.Change change) {
        if (!(change instanceof FanOut.Console c)) {
            return;
        }
        Stream s = streams.get(c.sessionId());
        if (s == null || !s.hostId.equals(c.hostId())) {
            return; // nobody watches here, or another host names this session: never relayed, never kept
        }
        switch (c.message()) {
            case AgentMessage.Snapshot snap -> {
                if (!s.subscriptionId.equals(snap.subscriptionId())) {
                    return;
                }
                s.snapshot = snap;
                s.chunks.clear();
                s.bytes = snap.data().length();
                s.watchers.forEach(w -> w.sink().accept(snapshotFrame(w.sub(), c.sessionId(), snap)));
            }
            case AgentMessage.ConsoleChunk chunk -> {
                if (!s.subscriptionId.equals(chunk.subscriptionId())) {
                    return;
                }
                s.chunks.addLast(chunk);
                s.bytes += chunk.data().length();
                while (s.bytes > TAIL_BYTES && !s.chunks.isEmpty()) {
                    s.bytes -= s.chunks.removeFirst().data().length();
                    if (s.snapshot != null) {
                        s.bytes -= s.snapshot.data().length();
                        s.snapshot = null;
                    }
                }
                s.watchers.forEach(w -> w.sink().accept(chunkFrame(w.sub(), chunk)));
            }
            default -> { }
        }
    }

    /** Stops the linger sweep and leaves fan-out; the hosts' streams end when their connections do. */
    @Override
    public void close() {
        sweeper.close();
        try {
            fanOutHandle.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "fan-out handle: " + e.getMessage());
        }
    }

    private static String snapshotFrame(String sub, String sessionId, AgentMessage.Snapshot s) {
        UiEvent.Cursor cursor = s.cursorX() == null || s.cursorY() == null ? null
                : new UiEvent.Cursor(s.cursorX(), s.cursorY());
        return UiEvent.encode(new UiEvent.ConsoleSnapshot(sub, sessionId, s.cols(), s.rows(), cursor, s.data()));
    }

    private static String chunkFrame(String sub, AgentMessage.ConsoleChunk c) {
        return UiEvent.encode(new UiEvent.ConsoleChunk(sub, c.sessionId(), c.offset(), c.data()));
    }
}
