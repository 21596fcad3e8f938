package dev.agentcommander.controlplane.ui;

import dev.agentcommander.schema.UiEvent;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * One console subscription's frames waiting in its socket's {@link UiOutbox}: bounded by
 * {@link UiOutbox#LANE_BYTES} and {@link UiOutbox#LANE_FRAMES}. The drop policy: when a chunk does not fit, every
 * console frame still waiting is dropped, a {@code console.skipped} ({@code viewer_behind}, with the bytes lost)
 * takes their place, and the stream's current screen and tail (from {@link ConsoleHub}) follow it, so the viewer
 * redraws from a true screen instead of drawing output with a hole in it. If the hub has no screen at that moment
 * (its tail outgrew its bound since the last one), chunks are dropped until the next snapshot arrives.
 *
 * <p>Called by the hub under the stream's lock; guarded by the outbox's lock (the writer polls it).
 */
final class ConsoleLane {
    private record Item(long stamp, UiEvent event, int cost) {
    }

    private final UiOutbox outbox;
    final String sub;
    final String sessionId;
    private final ArrayDeque<Item> items = new ArrayDeque<>();
    private long bytes;
    private boolean awaitingScreen;
    /** Output bytes dropped since the last marker went out (reported in the next one). */
    private long dropped;
    /** What this lane has dropped in all (for tests and the bench's counters). */
    private long droppedTotal;
    private int skips;
    private boolean retired;

    ConsoleLane(UiOutbox outbox, String sub, String sessionId) {
        this.outbox = outbox;
        this.sub = sub;
        this.sessionId = sessionId;
    }

    /**
     * The viewer joins: {@code subscribed}, then the screen and tail if the hub has them. Without them, a stream
     * that has not sent its first screen yet is relayed as it comes (its screen is on its way); one whose tail was
     * dropped ({@code awaitScreen}) is relayed from its next screen on.
     */
    void start(UiEvent.ConsoleSnapshot screen, List<UiEvent.ConsoleChunk> tail, boolean awaitScreen) {
        outbox.lock.lock();
        try {
            add(new UiEvent.Subscribed(sub), 0);
            awaitingScreen = awaitScreen;
            if (screen != null) {
                screenLocked(screen, tail);
            }
        } finally {
            outbox.lock.unlock();
        }
    }

    /**
     * A screen every viewer must draw (a stream that starts over, or a resync after the host skipped output,
     * then {@code skippedByHost} is true): what is still waiting is superseded by it.
     */
    void screen(UiEvent.ConsoleSnapshot screen, boolean skippedByHost) {
        outbox.lock.lock();
        try {
            dropConsole();
            if (skippedByHost) {
                add(new UiEvent.ConsoleSkipped(sub, sessionId, UiEvent.ConsoleSkipped.HOST_BEHIND, null), 0);
            }
            screenLocked(screen, List.of());
        } finally {
            outbox.lock.unlock();
        }
    }

    /** A keyframe: only a viewer waiting for a screen needs it. */
    void keyframe(UiEvent.ConsoleSnapshot screen) {
        outbox.lock.lock();
        try {
            if (awaitingScreen) {
                screenLocked(screen, List.of());
            }
        } finally {
            outbox.lock.unlock();
        }
    }

    /** The host skipped output without a screen to redraw from yet: the viewer is told, and output goes on. */
    void hostSkipped(long bytesLost) {
        outbox.lock.lock();
        try {
            add(new UiEvent.ConsoleSkipped(sub, sessionId, UiEvent.ConsoleSkipped.HOST_BEHIND, bytesLost), 0);
        } finally {
            outbox.lock.unlock();
        }
    }

    /**
     * Live output; if it does not fit, the drop policy above, with {@code catchUp} giving the hub's screen and tail
     * (which already hold this chunk).
     */
    void chunk(UiEvent.ConsoleChunk c, Supplier<ConsoleHub.CatchUp> catchUp) {
        outbox.lock.lock();
        try {
            int cost = c.data().length();
            if (awaitingScreen) {
                droppedTotal += cost * 3L / 4; // no screen to draw it on (the marker, if any, went out already)
                outbox.stats.consoleDroppedAwaitingScreen(cost * 3L / 4);
                return;
            }
            if (bytes + cost <= UiOutbox.LANE_BYTES && items.size() < UiOutbox.LANE_FRAMES) {
                add(c, cost);
                return;
            }
            long lost = dropConsole() + cost * 3L / 4;
            dropped += lost;
            droppedTotal += lost;
            outbox.stats.consoleDropped(lost);
            skips++;
            add(new UiEvent.ConsoleSkipped(sub, sessionId, UiEvent.ConsoleSkipped.VIEWER_BEHIND, dropped), 0);
            dropped = 0;
            ConsoleHub.CatchUp up = catchUp.get();
            if (up.screen() != null) {
                screenLocked(up.screen(), up.tail());
            } else {
                awaitingScreen = true;
            }
        } finally {
            outbox.lock.unlock();
        }
    }

    private void screenLocked(UiEvent.ConsoleSnapshot screen, List<UiEvent.ConsoleChunk> tail) {
        awaitingScreen = false;
        add(screen, screen.data().length());
        for (UiEvent.ConsoleChunk c : tail) {
            add(c, c.data().length());
        }
    }

    private void add(UiEvent e, int cost) {
        if (retired) {
            return;
        }
        items.add(new Item(outbox.stamp(), e, cost));
        bytes += cost;
        outbox.signal();
    }

    /** Drops the console frames still waiting (a {@code subscribed} stays); returns the output bytes they held. */
    private long dropConsole() {
        long lost = 0;
        ArrayDeque<Item> keep = new ArrayDeque<>();
        for (Item i : items) {
            if (i.event() instanceof UiEvent.ConsoleChunk c) {
                lost += c.data().length() * 3L / 4;
            } else if (i.event() instanceof UiEvent.Subscribed) {
                keep.add(i);
            }
        }
        items.clear();
        items.addAll(keep);
        bytes = 0;
        return lost;
    }

    /** No more console frames: only a {@code subscribed} not yet sent stays. @return whether nothing is left */
    boolean retire() {
        retired = true;
        dropConsole();
        return items.isEmpty();
    }

    boolean retired() {
        return retired;
    }

    void clear() {
        items.clear();
        bytes = 0;
    }

    /** The stamp of the oldest frame waiting, or {@code Long.MAX_VALUE} (caller holds the outbox's lock). */
    long headStamp() {
        Item h = items.peek();
        return h == null ? Long.MAX_VALUE : h.stamp();
    }

    /** Whether the oldest frame waiting is not a chunk (caller holds the outbox's lock). */
    boolean headIsScreen() {
        Item h = items.peek();
        return h != null && !(h.event() instanceof UiEvent.ConsoleChunk);
    }

    /** Takes the oldest frame (caller holds the outbox's lock and saw one with {@link #headStamp}). */
    UiEvent poll() {
        Item i = items.poll();
        bytes -= i.cost();
        return i.event();
    }

    /**
     * Takes the oldest frame and, when it is a chunk, the chunks right behind it that continue it (the next offset,
     * queued before {@code barrier}), up to {@link UiOutbox#MERGE_CHARS} of data: a lane that fell behind (a joiner's
     * tail, a slow spell) goes out as a few frames, not one per line, and a lane that keeps up sends each chunk
     * alone, as before (caller holds the outbox's lock and saw a frame with {@link #headStamp}).
     */
    List<UiEvent> pollRun(long barrier) {
        UiEvent first = poll();
        if (!(first instanceof UiEvent.ConsoleChunk c)) {
            return List.of(first);
        }
        List<UiEvent> run = new ArrayList<>();
        run.add(first);
        long next = c.offset() + ConsoleHub.decodedLength(c.data());
        int chars = c.data().length();
        while (items.peek() != null && items.peek().stamp() < barrier
                && items.peek().event() instanceof UiEvent.ConsoleChunk n && n.offset() == next
                && chars + n.data().length() <= UiOutbox.MERGE_CHARS) {
            poll();
            run.add(n);
            next = n.offset() + ConsoleHub.decodedLength(n.data());
            chars += n.data().length();
        }
        return run;
    }

    /** One chunk holding a run's bytes in order, at the first one's offset (the writer calls it, off the lock). */
    static UiEvent merge(List<UiEvent> run) {
        if (run.size() == 1) {
            return run.get(0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (UiEvent e : run) {
            out.writeBytes(Base64.getDecoder().decode(((UiEvent.ConsoleChunk) e).data()));
        }
        UiEvent.ConsoleChunk first = (UiEvent.ConsoleChunk) run.get(0);
        return new UiEvent.ConsoleChunk(first.sub(), first.sessionId(), first.offset(),
                Base64.getEncoder().encodeToString(out.toByteArray()));
    }

    /** Output bytes this lane dropped in all, and how many times it resynced (tests, counters). */
    long droppedTotal() {
        outbox.lock.lock();
        try {
            return droppedTotal;
        } finally {
            outbox.lock.unlock();
        }
    }

    int skips() {
        outbox.lock.lock();
        try {
            return skips;
        } finally {
            outbox.lock.unlock();
        }
    }
}
