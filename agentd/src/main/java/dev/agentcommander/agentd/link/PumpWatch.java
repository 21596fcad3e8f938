package dev.agentcommander.agentd.link;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;

/**
 * Names what holds the link's pump back when console output stops reaching the control plane although agentd keeps
 * writing it to the outbox: a send window full of unacked frames (acks late or lost) or a reader that returns
 * nothing while the outbox holds more, and a pump that sends but stays a window or more behind what the outbox
 * holds (held back often but never for long: acks that come too slowly rather than not at all — each frame that
 * goes out ends the other two episodes, so they would never name this one). Each is logged once per episode,
 * after {@link #SLOW}; cheap enough to be always on. The pump's own (one thread).
 */
final class PumpWatch {
    private static final System.Logger LOG = System.getLogger(Link.class.getName());
    /** Held back this long is logged. */
    static final Duration SLOW = Duration.ofSeconds(5);

    private final Clock clock;
    private final int window;
    private long fullSince = -1;
    private boolean fullLogged;
    private long unreadSince = -1;
    private boolean unreadLogged;
    private long behindSince = -1;
    private boolean behindLogged;

    PumpWatch(Clock clock, int window) {
        this.clock = clock;
        this.window = window;
    }

    /** A frame went out: nothing holds the pump back. */
    void sent() {
        fullSince = -1;
        unreadSince = -1;
    }

    /** The window holds the next frame back ({@code what}: which bound). {@code lastAckAt}: 0 when none yet. */
    void windowFull(String what, long lastSent, long acked, int storedUnacked, long lastAckAt, long readUpTo) {
        long now = clock.millis();
        if (fullSince < 0) {
            fullSince = now;
            fullLogged = false;
        } else if (!fullLogged && now - fullSince > SLOW.toMillis()) {
            fullLogged = true;
            LOG.log(Level.WARNING, "send window full of unacked " + what + " for " + (now - fullSince) + " ms: sent "
                    + "up to seq " + lastSent + ", acked " + acked + " (" + (lastSent - acked) + " frames, "
                    + storedUnacked + " stored messages unacked; window " + window + "), last ack "
                    + (lastAckAt == 0 ? "none yet" : now - lastAckAt + " ms ago") + ", read up to seq " + readUpTo);
        }
    }

    /**
     * Where the pump is against the outbox ({@code sent}: the last seq sent; {@code last}: the outbox's last seq;
     * {@code acked}: the server's ack), sampled about once a second while frames go out. Behind by a window or
     * more for longer than {@link #SLOW} is one episode; it ends when the pump is within half a window.
     */
    void progress(long sent, long last, long acked) {
        long now = clock.millis();
        long behind = last - sent;
        if (behind < Math.max(1, window / 2)) {
            behindSince = -1;
        } else if (behind >= window && behindSince < 0) {
            behindSince = now;
            behindLogged = false;
        } else if (behindSince >= 0 && !behindLogged && now - behindSince > SLOW.toMillis()) {
            behindLogged = true;
            LOG.log(Level.WARNING, "console and events are reaching the control plane late: for "
                    + (now - behindSince) + " ms the link has stayed " + behind + " messages behind the outbox (sent "
                    + "up to seq " + sent + ", outbox at " + last + ", acked " + acked + "; window " + window
                    + "): acks come slower than agentd writes");
        }
    }

    /** The reader returned nothing; the outbox holds up to {@code last}, the reader is at {@code position}. */
    void readNothing(long last, long position) {
        long now = clock.millis();
        if (last <= position) {
            unreadSince = -1;
        } else if (unreadSince < 0) {
            unreadSince = now;
            unreadLogged = false;
        } else if (!unreadLogged && now - unreadSince > SLOW.toMillis()) {
            unreadLogged = true;
            LOG.log(Level.WARNING, "the outbox holds up to seq " + last + " but its reader has returned nothing "
                    + "after seq " + position + " for " + (now - unreadSince) + " ms");
        }
    }
}
