package dev.agentcommander.agentd.outbox;

/**
 * Reads outbox entries in seq order for (re)sending, skipping entries dropped by the disk budget. Forward-only;
 * one thread at a time (the link's sender).
 */
public final class Reader implements AutoCloseable {
    /**
     * An encoded frame ready for the wire; {@code console} for console chunks and snapshots, which the control
     * plane relays and never stores (the link keeps them out of its window for stored messages).
     */
    public record Entry(long seq, String frame, boolean console) {
    }

    private final Cursor cursor;
    private final Outbox outbox;
    private long position;

    Reader(Cursor cursor, Outbox outbox, long afterSeq) {
        this.cursor = cursor;
        this.outbox = outbox;
        this.position = afterSeq;
    }

    /** The highest seq read so far (sent or skipped); wait for the outbox to pass it. */
    public long position() {
        return position;
    }

    /** The next entry to send, or null when there is nothing more right now. */
    public Entry next() {
        Record r;
        while ((r = cursor.next(true)) != null) {
            position = r.seq();
            if (!outbox.skipped(r)) {
                return new Entry(r.seq(), r.frame(), r.droppable());
            }
        }
        return null;
    }

    @Override
    public void close() {
        cursor.close();
    }
}
