package dev.agentcommander.agentd.outbox;

import net.openhft.chronicle.bytes.Bytes;

/**
 * One outbox entry as stored in the queue. Besides the frame it carries running byte totals (all entries, and
 * droppable ones), so the outbox can tell how many unacked bytes it holds by reading two entries instead of
 * keeping a per-message list in memory.
 */
record Record(long seq, boolean droppable, int size, long cumAfter, long dropCumAfter, String frame) {
    /** Fixed part of an entry: seq, kind, size, two totals. */
    static final int HEADER = 8 + 1 + 4 + 8 + 8;

    long cumBefore() {
        return cumAfter - size;
    }

    long dropCumBefore() {
        return droppable ? dropCumAfter - size : dropCumAfter;
    }

    void write(Bytes<?> b) {
        b.writeLong(seq).writeByte((byte) (droppable ? 1 : 0)).writeInt(size).writeLong(cumAfter)
                .writeLong(dropCumAfter).writeUtf8(frame);
    }

    static Record read(Bytes<?> b, boolean withFrame) {
        long seq = b.readLong();
        boolean droppable = b.readByte() == 1;
        int size = b.readInt();
        long cum = b.readLong();
        long dropCum = b.readLong();
        String frame = withFrame ? b.readUtf8() : null;
        return new Record(seq, droppable, size, cum, dropCum, frame);
    }
}
