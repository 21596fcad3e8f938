package dev.agentcommander.controlplane.link;

import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.controlplane.rules.ApprovalIntake;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Protocol;
import dev.agentcommander.schema.ProtocolException;
import dev.agentcommander.schema.ServerMessage;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code /v1/agent}: one instance per socket. The host token is checked at the upgrade, but a refusal is sent as a
 * close frame (1008 with a reason) right after the upgrade, because a refused upgrade cannot carry a reason the
 * agent could log. Nothing is written for a refused socket. Frames go through {@link Codec}; a bad frame gets an
 * {@code error} reply and the link survives, an unsupported version closes it. Every close carries a
 * {@link CloseReason}, so the agent decides by its kind.
 *
 * <p>Console frames are relayed to fan-out as they arrive, before ingest stores and acks them. So that a socket
 * superseded on another replica cannot go on relaying until its next batch, a console frame is relayed only while
 * the connection's epoch was seen current within {@link #EPOCH_FRESH} (ingest, delivery and heartbeats confirm it
 * as they go; otherwise one primary-key read here does).
 */
public final class AgentEndpoint implements WsListener {
    private static final System.Logger LOG = System.getLogger(AgentEndpoint.class.getName());
    private static final int MAX_ASSEMBLED = 2 * Protocol.MAX_FRAME_BYTES;
    private static final Duration TOUCH_EVERY = Duration.ofSeconds(30);
    /** How old the last sight of this connection's epoch may be for its console frames to be relayed. */
    static final Duration EPOCH_FRESH = Duration.ofSeconds(1);

    private final Database db;
    private final AgentLinks links;
    private final FanOut fanOut;
    private final Clock clock;
    private final String serverVersion;
    private final Consumer<String> onConnected;
    private final ApprovalIntake intake;
    private final Metrics metrics;
    private String hostId;
    private CloseReason refusal;
    private WsSession session;
    private AgentConnection conn;
    private final StringBuilder partial = new StringBuilder();
    private boolean partialTooLarge;
    private Instant lastTouch = Instant.EPOCH;
    /** Whether this connection stored what a heartbeat said about the agent yet (the first one is not held back). */
    private boolean reportStored;

    /** {@code onConnected} runs with the host id after each welcome (e.g. to re-request console streams). */
    public AgentEndpoint(Database db, AgentLinks links, FanOut fanOut, Clock clock, String serverVersion,
                         Consumer<String> onConnected) {
        this(db, links, fanOut, clock, serverVersion, onConnected, ApprovalIntake.NONE);
    }

    /** {@code intake} sees every new approval in the transaction that stores it (approval rules, notifications). */
    public AgentEndpoint(Database db, AgentLinks links, FanOut fanOut, Clock clock, String serverVersion,
                         Consumer<String> onConnected, ApprovalIntake intake) {
        this(db, links, fanOut, clock, serverVersion, onConnected, intake, Metrics.off());
    }

    /** {@code metrics} gets ingest batches and this host's series (ack lag, outbox backlog, RSS). */
    public AgentEndpoint(Database db, AgentLinks links, FanOut fanOut, Clock clock, String serverVersion,
                         Consumer<String> onConnected, ApprovalIntake intake, Metrics metrics) {
        this.metrics = metrics;
        this.intake = intake;
        this.onConnected = onConnected;
        this.db = db;
        this.links = links;
        this.fanOut = fanOut;
        this.clock = clock;
        this.serverVersion = serverVersion;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        String auth = headers.first(HeaderNames.AUTHORIZATION).orElse("");
        if (!auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
            refusal = CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "missing host token");
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(auth.substring(7).trim());
        try {
            hostId = db.tx(c -> HostRows.idForTokenHash(c, hash));
            if (hostId == null) {
                refusal = CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "invalid host token");
            }
        } catch (DbException e) {
            refusal = CloseReason.of(CloseReason.Kind.UNAVAILABLE, "database down, retry later");
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession s) {
        this.session = s;
        if (refusal != null) {
            s.close(refusal.code(), refusal.reason());
        }
    }

    @Override
    public void onMessage(WsSession s, String text, boolean last) {
        if (refusal != null) {
            return;
        }
        if (!last || !partial.isEmpty() || partialTooLarge) {
            if (partial.length() + text.length() > MAX_ASSEMBLED) {
                partialTooLarge = true;
                partial.setLength(0);
            } else if (!partialTooLarge) {
                partial.append(text);
            }
            if (!last) {
                return;
            }
            text = partial.toString();
            partial.setLength(0);
            if (partialTooLarge) {
                partialTooLarge = false;
                reply(new ServerMessage.Error("too_large", "frame larger than "
                        + Protocol.MAX_FRAME_BYTES + " bytes"));
                return;
            }
        }
        Codec.Frame<AgentMessage> frame;
        try {
            frame = Codec.decodeAgent(text);
        } catch (ProtocolException e) {
            reply(new ServerMessage.Error(e.code().wire(), e.getMessage()));
            if (e.code() == ProtocolException.Code.UNSUPPORTED_VERSION) {
                close(CloseReason.of(CloseReason.Kind.UNSUPPORTED_VERSION, e.getMessage()));
            }
            return;
        }
        try {
            handle(frame);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(Codec.Frame<AgentMessage> frame) throws InterruptedException {
        switch (frame.message()) {
            case AgentMessage.Hello h -> hello(h);
            case AgentMessage.Heartbeat h -> heartbeat(h);
            default -> {
                if (conn == null) {
                    reply(new ServerMessage.Error("invalid", "agent.hello must come first; " + frame.type()
                            + " dropped"));
                    return;
                }
                if (frame.seq() > conn.ackedSeq() && (frame.message() instanceof AgentMessage.Snapshot
                        || frame.message() instanceof AgentMessage.ConsoleChunk) && epochCurrent()) {
                    String sid = frame.message() instanceof AgentMessage.Snapshot sn ? sn.sessionId()
                            : ((AgentMessage.ConsoleChunk) frame.message()).sessionId();
                    fanOut.publish(new FanOut.Console(hostId, sid, frame.message()));
                }
                conn.received(frame.seq());
                conn.enqueue(frame);
            }
        }
    }

    /**
     * Whether this connection still holds its host's epoch, as far as a console frame needs to know: seen current
     * within {@link #EPOCH_FRESH}, or else read now. A database that does not answer does not stop the console
     * (the frame is the host's own, from its token; ingest deals with the outage): the next read is a second away.
     */
    private boolean epochCurrent() {
        Instant now = clock.instant();
        if (conn.closed()) {
            return false;
        }
        if (Duration.between(conn.epochConfirmedAt(), now).compareTo(EPOCH_FRESH) < 0) {
            return true;
        }
        long epoch = conn.epoch();
        try {
            if (!db.tx(c -> HostRows.holdsEpoch(c, hostId, epoch))) {
                conn.close(AgentConnection.SUPERSEDED);
                return false;
            }
        } catch (DbException e) {
            LOG.log(System.Logger.Level.DEBUG, "epoch not checked: " + e.getMessage());
        }
        conn.epochConfirmed(now);
        return true;
    }

    private void hello(AgentMessage.Hello h) {
        if (conn != null) {
            reply(new ServerMessage.Error("invalid", "agent.hello already received on this connection"));
            return;
        }
        HostRows.Handshake hs;
        try {
            hs = db.tx(c -> HostRows.handshake(c, hostId, h.agentVersion(), clock.instant()));
        } catch (DbException e) {
            close(CloseReason.of(CloseReason.Kind.UNAVAILABLE, "database down, retry later"));
            return;
        }
        if (hs == null) {
            close(CloseReason.of(CloseReason.Kind.UNAUTHORIZED, "host " + hostId + " is gone"));
            return;
        }
        AgentConnection c = new AgentConnection(hostId, hs.epoch(), hs.lastAckedSeq(), session, clock);
        if (!links.register(c)) {
            c.close(AgentConnection.SUPERSEDED);
            return;
        }
        conn = c;
        lastTouch = clock.instant();
        c.send(new ServerMessage.Welcome(hs.lastAckedSeq(), serverVersion, hostId));
        onConnected.accept(hostId);
        c.series(metrics.host(hostId, c));
        c.start(new Ingest(c, db, fanOut, clock, intake, metrics), new Delivery(c, db, clock));
        LOG.log(System.Logger.Level.INFO, "host " + hostId + " (" + LogText.of(h.hostName()) + ", agent "
                + LogText.of(h.agentVersion())
                + ") connected, epoch " + hs.epoch() + ", last acked " + hs.lastAckedSeq());
    }

    /**
     * Keeps what the heartbeat says about the agent (metrics read it at once) and, at most every
     * {@link #TOUCH_EVERY} (the first report at once), writes it to the host row with {@code last_seen_at}.
     */
    private void heartbeat(AgentMessage.Heartbeat h) {
        Instant now = clock.instant();
        if (conn == null) {
            return;
        }
        boolean reports = h.outboxBacklog() != null || h.rssBytes() != null;
        conn.reported(h.outboxBacklog(), h.rssBytes());
        if (Duration.between(lastTouch, now).compareTo(TOUCH_EVERY) < 0 && (reportStored || !reports)) {
            return;
        }
        lastTouch = now;
        reportStored |= reports;
        long epoch = conn.epoch();
        try {
            if (!db.tx(c -> reports ? HostRows.heartbeat(c, hostId, epoch, now, h.outboxBacklog(), h.rssBytes())
                    : HostRows.touch(c, hostId, epoch, now))) {
                conn.close(AgentConnection.SUPERSEDED);
            } else {
                conn.epochConfirmed(now);
            }
        } catch (DbException e) {
            LOG.log(System.Logger.Level.DEBUG, "heartbeat not recorded: " + e.getMessage());
        }
    }

    private void reply(ServerMessage m) {
        if (conn != null) {
            conn.send(m);
        } else if (session != null) {
            session.send(Codec.encodeServer(m, clock.instant()), true);
        }
    }

    private void close(CloseReason reason) {
        if (conn != null) {
            conn.close(reason);
        } else if (session != null) {
            session.close(reason.code(), reason.reason());
        }
    }

    @Override
    public void onClose(WsSession s, int status, String reason) {
        if (conn != null) {
            conn.closedByPeer();
            links.unregister(conn);
        }
    }

    @Override
    public void onError(WsSession s, Throwable t) {
        LOG.log(System.Logger.Level.DEBUG, "agent socket error", t);
        onClose(s, 1011, "error");
    }
}
