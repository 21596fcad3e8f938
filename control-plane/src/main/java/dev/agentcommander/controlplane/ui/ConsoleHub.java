package dev.agentcommander.controlplane.ui;

import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.link.CommandService;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.UiEvent;
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
 * console (a {@code console.subscribe} command through the reliable command path); the last one leaving stops
 * it. A bounded tail (last snapshot + the chunks after it, at most {@link #TAIL_BYTES}) lets a late joiner start
 * from a full screen. Console bytes are never stored in Postgres.
 */
public final class ConsoleHub {
    private static final int TAIL_BYTES = 1 << 20;
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

        Stream(String hostId) {
            this.hostId = hostId;
        }
    }

    private final CommandService commands;
    private final Map<String, Stream> streams = new HashMap<>();

    public ConsoleHub(CommandService commands, FanOut fanOut) {
        this.commands = commands;
        fanOut.subscribe(this::onChange);
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

    void leave(String sessionId, Watcher w) {
        Stream stop = null;
        synchronized (this) {
            Stream s = streams.get(sessionId);
            if (s != null && s.watchers.remove(w) && s.watchers.isEmpty()) {
                streams.remove(sessionId);
                stop = s;
            }
        }
        if (stop != null) {
            issue(stop.hostId, new CommandSpec.ConsoleUnsubscribe(sessionId, stop.subscriptionId));
        }
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
        if (s == null) {
            return;
        }
        switch (c.message()) {
            case AgentMessage.Snapshot snap -> {
                if (snap.subscriptionId() != null && !snap.subscriptionId().equals(s.subscriptionId)) {
                    return;
                }
                s.snapshot = snap;
                s.chunks.clear();
                s.bytes = snap.data().length();
                s.watchers.forEach(w -> w.sink().accept(snapshotFrame(w.sub(), c.sessionId(), snap)));
            }
            case AgentMessage.ConsoleChunk chunk -> {
                if (chunk.subscriptionId() != null && !chunk.subscriptionId().equals(s.subscriptionId)) {
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

    private static String snapshotFrame(String sub, String sessionId, AgentMessage.Snapshot s) {
        UiEvent.Cursor cursor = s.cursorX() == null || s.cursorY() == null ? null
                : new UiEvent.Cursor(s.cursorX(), s.cursorY());
        return UiEvent.encode(new UiEvent.ConsoleSnapshot(sub, sessionId, s.cols(), s.rows(), cursor, s.data()));
    }

    private static String chunkFrame(String sub, AgentMessage.ConsoleChunk c) {
        return UiEvent.encode(new UiEvent.ConsoleChunk(sub, c.sessionId(), c.offset(), c.data()));
    }
}
