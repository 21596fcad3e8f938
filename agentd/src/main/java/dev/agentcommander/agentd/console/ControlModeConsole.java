package dev.agentcommander.agentd.console;

import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.panes.SessionDirectory;
import dev.agentcommander.agentd.tmux.ControlClient;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.loop.NamedLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Console streaming through tmux control-mode clients, one per tmux session that has a watched pane (measured
 * against {@code pipe-pane}; see docs/console.md). The snapshot is taken through the same client that carries
 * the output, so it is an exact cut: bytes before it are in the snapshot, bytes after it are in the chunks.
 * The first output after a quiet spell of {@link ConsoleConfig#linger()} is sent at once (typing echoes without delay);
 * output within a linger of a send is coalesced up to {@link ConsoleConfig#maxChunkBytes()}, so a chatty pane costs at
 * most about two outbox messages per linger (plus one per full chunk); a pane's buffer never exceeds one chunk.
 *
 * <p>It never sends {@code refresh-client -A %N:off}: in tmux before 3.7 turning a pane off while output for it is
 * queued leaves offsets into data tmux then frees, and the server segfaults (tmux GitHub issue 5054; seen here
 * with Debian's 3.3a). Output of unwatched panes in a watched tmux session is read and dropped instead, and a
 * client is detached as soon as its session has no watched pane.
 */
public final class ControlModeConsole implements Console {
    private static final System.Logger LOG = System.getLogger(ControlModeConsole.class.getName());

    private final Tmux tmux;
    private final SessionDirectory directory;
    private final Outbound outbound;
    private final ConsoleConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition dirtyCond = lock.newCondition();
    private final Map<String, Client> clients = new HashMap<>();       // by tmux session id ($N)
    private final Map<String, PaneStream<Client>> streams = new HashMap<>();  // by pane id (%N)
    private final Set<PaneStream<Client>> dirty = new LinkedHashSet<>();
    private final NamedLoop flusher;
    private final long lingerNanos;
    private long dirtySince;
    private boolean closed;
    private int pauses;

    public ControlModeConsole(Tmux tmux, SessionDirectory directory, Outbound outbound, ConsoleConfig config) {
        this.tmux = tmux;
        this.directory = directory;
        this.outbound = outbound;
        this.config = config;
        this.lingerNanos = config.linger().toNanos();
        this.flusher = NamedLoop.start("console-flusher", this::flushDue);
    }

    @Override
    public void subscribe(String sessionId, String subscriptionId) {
        Session session = directory.bySessionId(sessionId)
                .orElseThrow(() -> new ConsoleException("no such session: " + sessionId));
        if (session.tmux() == null) {
            throw new ConsoleException("session " + sessionId + " has no tmux pane");
        }
        String paneId = ControlClient.checkPaneId(session.tmux().paneId());
        // a live client that has carried this pane's output knows its tmux session: no tmux process per subscribe
        // (at a hundred subscribes on a busy machine those forks were seconds); else ask tmux
        String known = clientCarrying(paneId);
        String tmuxSession = known != null ? known
                : tmux.run("display-message", "-p", "-t", paneId, "#{session_id}").trim();
        ControlClient toClose = null;
        lock.lock();
        try {
            if (closed) {
                throw new ConsoleException("console is closed");
            }
            PaneStream<Client> stream = streams.get(paneId);
            if (stream != null && stream.find(sessionId, subscriptionId) != null) {
                return; // a resent subscribe: already streaming
            }
            boolean fresh = false;
            if (stream == null) {
                Client client = clients.get(tmuxSession);
                if (client == null || !client.control.isAlive()) {
                    client = newClient(tmuxSession);
                    clients.put(tmuxSession, client);
                    fresh = true; // a client just started has paused nothing: no resume needed
                }
                stream = new PaneStream<>(paneId, client, config.maxChunkBytes());
                streams.put(paneId, stream);
                client.streams++;
            }
            PaneStream.Sub sub = new PaneStream.Sub(sessionId, subscriptionId);
            stream.subs.add(sub);
            PaneStream<Client> s = stream;
            try {
                if (!fresh) {
                    // resume first, on a line of its own: a pane nobody watched may have been paused by tmux (it is
                    // left so, to cost nothing); bytes it prints before the capture are drawn over by the screen
                    stream.client.control.command(ControlClient.continuePane(paneId));
                }
                stream.client.control.command(PaneStream.screenCommand(paneId), 2,
                        replies -> onSnapshot(s, sub, replies));
            } catch (TmuxException e) {
                stream.subs.remove(sub);
                if (stream.subs.isEmpty()) {
                    toClose = dropStream(stream);
                }
                throw e;
            }
        } finally {
            lock.unlock();
            if (toClose != null) {
                toClose.close();
            }
        }
    }

    @Override
    public void unsubscribe(String sessionId, String subscriptionId) {
        ControlClient toClose = null;
        lock.lock();
        try {
            for (PaneStream<Client> stream : streams.values()) {
                PaneStream.Sub sub = stream.find(sessionId, subscriptionId);
                if (sub == null) {
                    continue;
                }
                stream.subs.remove(sub);
                if (stream.subs.isEmpty()) {
                    toClose = dropStream(stream);
                }
                break;
            }
        } finally {
            lock.unlock();
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    /** The tmux session of the live client that has carried output of {@code paneId}, or null. */
    private String clientCarrying(String paneId) {
        lock.lock();
        try {
            for (Client c : clients.values()) {
                if (c.carries(paneId) && c.control.isAlive()) {
                    return c.tmuxSession;
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a stream with no subscribers; returns the control client to close if it served nothing else. */
    private ControlClient dropStream(PaneStream<Client> stream) {
        streams.remove(stream.paneId);
        dirty.remove(stream);
        Client client = stream.client;
        client.streams--;
        if (client.streams > 0) {
            return null; // the client still serves other panes; this pane's output is dropped from now on
        }
        clients.remove(client.tmuxSession, client);
        return client.control;
    }

    @Override
    public int subscriberCount(String sessionId) {
        lock.lock();
        try {
            int n = 0;
            for (PaneStream<Client> stream : streams.values()) {
                for (PaneStream.Sub sub : stream.subs) {
                    n += sub.sessionId.equals(sessionId) ? 1 : 0;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Number of live tmux control clients (for tests and doctor). */
    public int controlClientCount() {
        lock.lock();
        try {
            return clients.size();
        } finally {
            lock.unlock();
        }
    }

    private void onSnapshot(PaneStream<Client> stream, PaneStream.Sub sub, List<ControlClient.Reply> replies) {
        lock.lock();
        try {
            if (streams.get(stream.paneId) != stream || !stream.subs.contains(sub)) {
                return; // unsubscribed while the snapshot was on its way
            }
            if (replies.size() < 2 || replies.get(0).error() || replies.get(1).error()) {
                LOG.log(System.Logger.Level.WARNING, "snapshot of {0} failed; dropping subscription {1}",
                        stream.paneId, sub.subscriptionId);
                stream.subs.remove(sub);
                if (stream.subs.isEmpty()) {
                    ControlClient c = dropStream(stream);
                    if (c != null) {
                        Thread.ofVirtual().name("console-close-" + c.target()).start(c::close);
                    }
                }
                return;
            }
            flush(stream); // what is pending came before the cut: it belongs to the older subscribers only
            AgentMessage.Snapshot snap = PaneStream.snapshot(sub, replies, AgentMessage.Snapshot.START);
            send(snap);
            sub.live = true;
            if (stream.subs.size() == 1) {
                stream.screenSent(snap.data().length() * 3 / 4); // the stream's first screen: keyframes count from it
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a screen of a live stream through its own client (so it is an exact cut), for {@code reason}
     * {@code keyframe} or {@code resync}; {@code resume} first resumes the pane tmux paused, on a line of its own
     * (one failing command skips the rest of its line; bytes printed between the two are drawn over by the screen).
     * Caller holds the lock.
     */
    private void cutScreen(PaneStream<Client> stream, boolean resume, String reason) {
        try {
            if (resume) {
                stream.client.control.command(ControlClient.continuePane(stream.paneId));
            }
            stream.client.control.command(PaneStream.screenCommand(stream.paneId), 2,
                    replies -> onScreen(stream, replies, reason));
            stream.screenInFlight = true;
        } catch (TmuxException e) {
            LOG.log(System.Logger.Level.WARNING, "no " + reason + " screen of {0}: {1}", stream.paneId,
                    e.getMessage());
        }
    }

    /** A keyframe or resync screen arrived: every live subscriber gets it at its own offset. */
    private void onScreen(PaneStream<Client> stream, List<ControlClient.Reply> replies, String reason) {
        lock.lock();
        try {
            stream.screenInFlight = false;
            if (streams.get(stream.paneId) != stream) {
                return;
            }
            if (replies.size() < 2 || replies.get(0).error() || replies.get(1).error()) {
                LOG.log(System.Logger.Level.WARNING, "{0} screen of {1} failed", reason, stream.paneId);
                return;
            }
            flush(stream); // pending bytes came before the cut
            int size = 0;
            for (PaneStream.Sub sub : stream.subs) {
                if (sub.live) {
                    AgentMessage.Snapshot snap = PaneStream.snapshot(sub, replies, reason);
                    size = snap.data().length() * 3 / 4;
                    send(snap);
                }
            }
            stream.screenSent(size);
        } finally {
            lock.unlock();
        }
    }

    /**
     * tmux paused a pane because this client fell {@code pause-after} behind it (the machine is busy, or the pane
     * prints faster than agentd reads). A watched pane is resumed at once with a resync screen: its viewers are
     * told output was skipped and redraw from the screen as it is now. An unwatched one stays paused (its output
     * would be dropped anyway); a later subscribe resumes it.
     */
    private void onPause(Client client, String paneId) {
        lock.lock();
        try {
            pauses++;
            PaneStream<Client> stream = streams.get(paneId);
            if (stream == null || stream.client != client) {
                return;
            }
            LOG.log(System.Logger.Level.INFO, "tmux paused {0} (agentd fell behind); resuming with a fresh screen",
                    paneId);
            flush(stream);
            cutScreen(stream, true, AgentMessage.Snapshot.RESYNC);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks tmux to pause a watched pane ({@code refresh-client -A '%N:pause'}) exactly as it does when agentd falls
     * {@code pause-after} behind: for tests of what follows, which a busy machine cannot be made to do on cue.
     */
    void pauseForTest(String paneId) {
        lock.lock();
        try {
            PaneStream<Client> stream = streams.get(ControlClient.checkPaneId(paneId));
            if (stream == null) {
                throw new ConsoleException("pane " + paneId + " is not watched");
            }
            Client client = stream.client;
            // tmux writes the %pause of a pause it was asked for inside that command's reply, not as a notification
            client.control.command("refresh-client -A '" + paneId + ":pause'", 1, replies -> {
                if (replies.stream().flatMap(r -> r.lines().stream()).anyMatch(l -> new String(l,
                        java.nio.charset.StandardCharsets.US_ASCII).equals("%pause " + paneId))) {
                    onPause(client, paneId);
                }
            });
        } finally {
            lock.unlock();
        }
    }

    /** How many times tmux paused a pane for this console (tests, doctor). */
    public int pauses() {
        lock.lock();
        try {
            return pauses;
        } finally {
            lock.unlock();
        }
    }

    private void onOutput(Client client, String paneId, byte[] data, int len) {
        lock.lock();
        try {
            PaneStream<Client> stream = streams.get(paneId);
            if (stream == null || stream.client != client) {
                client.carried(paneId);
                return; // a pane nobody watches in a watched tmux session (see NEVER_OFF below)
            }
            if (!stream.anyLive()) {
                return; // only snapshots in flight: these bytes will be in them
            }
            stream.append(data, len, this::send);
            long now = System.nanoTime();
            if (stream.hasPending() && now - stream.lastFlush >= lingerNanos) {
                flush(stream); // first output after a quiet spell goes at once: keystroke echo stays instant
                dirty.remove(stream);
            } else if (stream.hasPending() && dirty.add(stream) && dirty.size() == 1) {
                dirtySince = now;
                dirtyCond.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void onExit(Client client) {
        lock.lock();
        try {
            if (clients.remove(client.tmuxSession, client)) {
                LOG.log(System.Logger.Level.INFO, "tmux control client for {0} ended", client.tmuxSession);
            }
            streams.values().removeIf(s -> {
                if (s.client == client) {
                    dirty.remove(s);
                    return true;
                }
                return false;
            });
        } finally {
            lock.unlock();
        }
    }

    /** One round of the flusher: waits for pending output, lets the linger pass, then sends it. */
    private void flushDue() throws InterruptedException {
        lock.lock();
        try {
            if (closed || dirty.isEmpty()) {
                dirtyCond.await();
                return;
            }
            long wait = dirtySince + lingerNanos - System.nanoTime();
            if (wait > 0) {
                dirtyCond.awaitNanos(wait);
                return;
            }
            for (PaneStream<Client> s : new ArrayList<>(dirty)) {
                flush(s);
            }
            dirty.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Sends a pane's pending bytes to each live subscriber, then a keyframe if one is due; caller holds the lock. */
    private void flush(PaneStream<Client> stream) {
        stream.flush(this::send);
        if (!stream.screenInFlight && stream.keyframeDue(config.keyframeBytes(), config.keyframeEvery())) {
            cutScreen(stream, false, AgentMessage.Snapshot.KEYFRAME);
        }
    }

    private void send(AgentMessage m) {
        try {
            outbound.send(m);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "console message not queued: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        List<ControlClient> toClose = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Client c : clients.values()) {
                toClose.add(c.control);
            }
            clients.clear();
            streams.clear();
            dirty.clear();
            dirtyCond.signalAll();
        } finally {
            lock.unlock();
        }
        toClose.forEach(ControlClient::close);
        flusher.close();
    }

    private Client newClient(String tmuxSession) {
        return new Client(tmux, tmuxSession, config.pauseAfterSeconds(), this::onOutput, this::onPause, this::onExit);
    }
}
