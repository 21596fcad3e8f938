package dev.agentcommander.agentd.outbox;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A forward-only position in the queue. Outbox positions (acked, drop watermark, resend) only ever move forward,
 * so each entry is read at most once per cursor: amortised O(1) per message and no index kept in memory.
 */
final class Cursor implements AutoCloseable {
    private final ExcerptTailer tailer;
    private Record last;
    private long lastIndex = -1;

    Cursor(ExcerptTailer tailer) {
        this.tailer = tailer;
        tailer.singleThreadedCheckDisabled(true);
        tailer.toStart();
    }

    /** The next entry, or null at the end. */
    Record next(boolean withFrame) {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            lastIndex = dc.index();
            last = Record.read(dc.wire().bytes(), withFrame);
            return last;
        }
    }

    /** The next entry without consuming it, or null at the end. */
    Record peek() {
        long index;
        Record r;
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            index = dc.index();
            r = Record.read(dc.wire().bytes(), false);
        }
        tailer.moveToIndex(index);
        return r;
    }

    /** Consumes entries up to and including {@code seq}; returns the last consumed, or null if none. */
    Record advanceThrough(long seq) {
        Record consumed = null;
        while (true) {
            Record p = peek();
            if (p == null || p.seq() > seq) {
                return consumed;
            }
            consumed = next(false);
        }
    }

    /** The last entry consumed by this cursor, or null. */
    Record last() {
        return last;
    }

    /** Queue index of the last entry consumed, or -1. */
    long lastIndex() {
        return lastIndex;
    }

    /** Moves to where {@code other} is (both read the same queue). */
    void moveTo(Cursor other) {
        if (other.lastIndex >= 0) {
            tailer.moveToIndex(other.lastIndex);
            next(false);
        }
    }

    @Override
    public void close() {
        tailer.close();
    }
}
