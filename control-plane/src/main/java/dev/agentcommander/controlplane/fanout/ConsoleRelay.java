package dev.agentcommander.controlplane.fanout;

import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.ProtocolException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * Console bytes between replicas. A dashboard on replica A watching a session whose host is held by B asks the
 * host (a command row) for a stream under a subscription id of A's. B sees frames of a subscription none of its
 * own streams asked for, and relays exactly those on channel {@value #CHANNEL}: so bytes cross only while a
 * replica watches (its stream ends {@code ConsoleHub.LINGER} after its last viewer, with an unsubscribe to the
 * host), and a session nobody watches elsewhere costs nothing. Console bytes are never stored, so, unlike other
 * changes, the frame itself is the payload: its agent-protocol JSON cut into pieces under Postgres' payload limit
 * ({@code <origin> <relay> <i>/<n> <host> <piece>}), in order (one sender, one transaction per batch, delivered in
 * commit order) and put together again at the receiver. A piece that is lost (a full queue, a LISTEN connection
 * that was down) shows as a gap in offsets, which the hub already redraws from the next screen.
 */
final class ConsoleRelay {
    private static final System.Logger LOG = System.getLogger(ConsoleRelay.class.getName());
    static final String CHANNEL = "ac_console";
    /** Bytes of frame text per piece (with the header, under 8000). */
    static final int PIECE = 7_000;
    /** At most this many pieces (≈ 1.4 MB) for one frame; a larger one is not relayed. */
    static final int MAX_PIECES = 200;

    private final PgNotifySender sender;
    private final String origin;
    private final Consumer<FanOut.Change> deliver;
    private final Clock clock;
    private final AtomicLong relays = new AtomicLong();
    /** Per sending replica: the frame being put together (pieces arrive in order). */
    private final Map<String, Partial> partial = new HashMap<>();
    private volatile BiPredicate<String, String> ownStream = (sessionId, subscriptionId) -> true;

    private static final class Partial {
        final String relay;
        final String host;
        final int parts;
        int next = 1;
        final StringBuilder text = new StringBuilder();

        Partial(String relay, String host, int parts) {
            this.relay = relay;
            this.host = host;
            this.parts = parts;
        }
    }

    ConsoleRelay(PgNotifySender sender, String origin, Consumer<FanOut.Change> deliver, Clock clock) {
        this.sender = sender;
        this.origin = origin;
        this.deliver = deliver;
        this.clock = clock;
    }

    /** {@code own(sessionId, subscriptionId)}: whether a stream of this replica asked for it (then no relay). */
    void relayUnless(BiPredicate<String, String> own) {
        this.ownStream = own;
    }

    /** A console frame from a host held here: relayed when another replica's stream asked for it. */
    void published(FanOut.Console c) {
        String sub = switch (c.message()) {
            case AgentMessage.Snapshot s -> s.subscriptionId();
            case AgentMessage.ConsoleChunk ch -> ch.subscriptionId();
            default -> null;
        };
        if (sub == null || ownStream.test(c.sessionId(), sub)) {
            return;
        }
        List<String> pieces = pieces(Codec.encodeAgent(c.message(), 1L, clock.instant()));
        if (pieces.size() > MAX_PIECES) {
            LOG.log(System.Logger.Level.WARNING, "console frame of " + c.sessionId() + " too large to relay");
            return;
        }
        String relay = Long.toString(relays.incrementAndGet(), 36);
        for (int i = 0; i < pieces.size(); i++) {
            if (!sender.sendRaw(CHANNEL, relay + " " + (i + 1) + "/" + pieces.size() + " " + c.hostId() + " "
                    + pieces.get(i))) {
                return; // the rest would not make a frame either
            }
        }
    }

    /** A piece from the LISTEN connection (its loop). */
    synchronized void received(String payload) {
        String[] p = payload == null ? new String[0] : payload.split(" ", 5);
        if (p.length < 5 || p[0].equals(origin)) {
            return;
        }
        String[] of = p[2].split("/", 2);
        int i;
        int n;
        try {
            i = Integer.parseInt(of[0]);
            n = of.length == 2 ? Integer.parseInt(of[1]) : -1;
        } catch (NumberFormatException e) {
            return;
        }
        if (n < 1 || n > MAX_PIECES || i < 1 || i > n || !Ids.isOpaque(p[3])) {
            return;
        }
        Partial f = partial.get(p[0]);
        if (i == 1) {
            f = new Partial(p[1], p[3], n);
            partial.put(p[0], f);
        } else if (f == null || !f.relay.equals(p[1]) || f.next != i) {
            partial.remove(p[0]); // a piece went missing: the frame is dropped, the hub sees the gap
            return;
        }
        f.text.append(p[4]);
        f.next++;
        if (i < n) {
            return;
        }
        partial.remove(p[0]);
        try {
            AgentMessage m = Codec.decodeAgent(f.text.toString()).message();
            String sid = switch (m) {
                case AgentMessage.Snapshot s -> s.sessionId();
                case AgentMessage.ConsoleChunk ch -> ch.sessionId();
                default -> null;
            };
            if (sid != null) {
                deliver.accept(new FanOut.Console(f.host, sid, m));
            }
        } catch (ProtocolException e) {
            LOG.log(System.Logger.Level.DEBUG, "relayed console frame not understood: " + e.getMessage());
        }
    }

    /** {@code text} cut into pieces of at most {@link #PIECE} UTF-8 bytes, never inside a surrogate pair. */
    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            int b = ch < 0x80 ? 1 : ch < 0x800 ? 2 : Character.isHighSurrogate(ch) ? 4 : Character.isLowSurrogate(ch)
                    ? 0 : 3;
            if (bytes + b > PIECE && !Character.isLowSurrogate(ch)) {
                out.add(text.substring(start, i));
                start = i;
                bytes = 0;
            }
            bytes += b;
        }
        out.add(text.substring(start));
        return out;
    }
}
