package dev.agentcommander.agentd.link;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;

/**
 * Names what holds the link's pump back when console output stops reaching the control plane although agentd keeps
 * writing it to the outbox: a send window full of unacked frames (acks late or lost) or a reader that returns
 * nothing while the outbox holds more. Each is logged once per episode, after {@link #SLOW}; cheap enough to be
 * always on. The pump's own (one thread).
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
