package dev.agentcommander.agentd.outbox;

import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.posix.PosixAPI;

/**
 * The persisted outbox: every message gets its seq and is written to a Chronicle Queue before {@link #send}
 * returns, so a crash of agentd or a dead link loses nothing. The queue survives a kill -9 of the process (the
 * pages are in the kernel); seqs continue from the queue's tail after a restart. Acked roll cycles are deleted.
 * When the unacked data exceeds the disk budget the oldest unacked console chunks and snapshots are skipped
 * (a watermark, not a rewrite) and the drop is itself reported as an {@code outbox.dropped} event.
 * All queue writes happen under one lock (the acked file and its fsyncs are written outside it, so a slow disk
 * does not stall senders); memory use does not grow with the backlog. The queue's directory is 0700 and
 * each file Chronicle makes in it is chmodded 0600 as Chronicle acquires it (Chronicle itself creates them 0666
 * minus the umask).
 */
public final class Outbox implements Outbound, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());
    static final RollCycle ROLL = RollCycles.FAST_HOURLY;
    static final long ACK_WRITE_INTERVAL_MS = 200;

    private final Path dir;
    private final Path ackedFile;
    private final Path dropFile;
    private final long maxBytes;
    private final Clock clock;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final Cursor ackCursor;
    private final Cursor dropCursor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();

    private long lastSeq;
    private long acked;
    private long lastCum;
    private long lastDropCum;
    private long ackedCum;
    private long ackedDropCum;
    private volatile long dropWatermark; // droppable entries with seq < this are skipped
    private long wmDropCum;
    private boolean warnedFull;
    private long lastAckWrite = Long.MIN_VALUE / 2;
    private long writtenAck = -1;
    private final Object ackFileWrite = new Object();
    private long ackFileSeq = -1; // guarded by ackFileWrite
    private volatile boolean closed;

    /** Opens (or creates) the outbox under {@code stateDir}; {@code clock} also drives roll cycles. */
    public Outbox(Path stateDir, long maxBytes, Clock clock) {
        this.dir = stateDir.resolve("outbox");
        this.ackedFile = stateDir.resolve("acked");
        this.dropFile = stateDir.resolve("outbox-dropped");
        this.maxBytes = maxBytes;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
            PrivateFiles.makePrivate(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        // Chronicle's first use would load jnr-ffi and its native stub (~320 classes, ~4 MB of RSS) only to preload
        // a POSIX binding; the one call this outbox could reach through it is msync(MS_ASYNC) when a store file is
        // released (the default sync mode), which Linux has treated as a no-op since 2.6.19. Durability is the page
        // cache's, as the class comment says, with or without it. Must run before any Chronicle class initialises.
        PosixAPI.useNoOpPosixApi();
        if (System.getProperty("chronicle.analytics.disable") == null) {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(ROLL).timeProvider(clock::millis)
                .storeFileListener(PRIVATE_STORE_FILES).build();
        makeFilesPrivate(); // the metadata file the builder just made
        appender = queue.createAppender();
        appender.singleThreadedCheckDisabled(true);
        ackCursor = new Cursor(queue.createTailer());
        dropCursor = new Cursor(queue.createTailer());
        recover();
    }

    /** Makes each cycle file private when Chronicle creates or opens it. */
    private static final StoreFileListener PRIVATE_STORE_FILES = new StoreFileListener() {
        @Override
        public void onAcquired(int cycle, File file) {
            PrivateFiles.makePrivate(file.toPath());
        }

        @Override
        public void onReleased(int cycle, File file) {
        }
    };

    private void recover() {
        Record tail = readTail();
        Record head = ackCursor.peek();
        acked = StateFiles.readLong(ackedFile, 0);
        lastSeq = Math.max(tail == null ? 0 : tail.seq(), acked);
        lastCum = tail == null ? 0 : tail.cumAfter();
        lastDropCum = tail == null ? 0 : tail.dropCumAfter();
        ackedCum = head == null ? lastCum : head.cumBefore();
        ackedDropCum = head == null ? lastDropCum : head.dropCumBefore();
        Record a = ackCursor.advanceThrough(acked);
        if (a != null) {
            ackedCum = a.cumAfter();
            ackedDropCum = a.dropCumAfter();
        }
        dropWatermark = StateFiles.readLong(dropFile, 0);
        wmDropCum = ackedDropCum;
        if (dropWatermark > acked + 1) {
            Record d = dropCursor.advanceThrough(dropWatermark - 1);
            if (d != null) {
                wmDropCum = d.dropCumAfter();
            }
        } else {
            dropCursor.moveTo(ackCursor);
        }
        LOG.log(Level.INFO, () -> "outbox " + dir + ": last seq " + lastSeq + ", acked " + acked
                + ", unacked bytes " + unackedBytes());
    }

    private Record readTail() {
        var t = queue.createTailer();
        try {
            t.singleThreadedCheckDisabled(true);
            t.direction(TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = t.readingDocument()) {
                return dc.isPresent() ? Record.read(dc.wire().bytes(), false) : null;
            }
        } finally {
            t.close();
        }
    }

    @Override
    public long send(AgentMessage message) {
        boolean droppable = message instanceof AgentMessage.ConsoleChunk || message instanceof AgentMessage.Snapshot;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("outbox is closed");
            }
            long seq = lastSeq + 1;
            String frame = Codec.encodeAgent(message, seq, clock.instant());
            int size = Record.HEADER + frame.getBytes(StandardCharsets.UTF_8).length;
            if (unackedBytes() + size > maxBytes) {
                makeRoom(unackedBytes() + size - maxBytes + maxBytes / 10);
                seq = lastSeq + 1;
                frame = Codec.encodeAgent(message, seq, clock.instant());
            }
            append(seq, droppable, size, frame);
            return seq;
        } finally {
            lock.unlock();
        }
    }

    private void append(long seq, boolean droppable, int size, String frame) {
        Record r = new Record(seq, droppable, size, lastCum + size, lastDropCum + (droppable ? size : 0), frame);
        try (DocumentContext dc = appender.writingDocument()) {
            r.write(dc.wire().bytes());
        }
        lastSeq = seq;
        lastCum = r.cumAfter();
        lastDropCum = r.dropCumAfter();
        appended.signalAll();
    }

    /**
     * Skips the oldest unacked droppable entries until {@code excess} bytes are freed (or none are left); the
     * caller asks for a tenth of the budget more than it needs so drops (and their reports) come in batches.
     */
    private void makeRoom(long excess) {
        long freed = 0;
        long count = 0;
        if (dropWatermark <= acked) {
            dropWatermark = acked + 1;
        }
        Record r;
        while (freed < excess && (r = dropCursor.next(false)) != null) {
            dropWatermark = r.seq() + 1;
            wmDropCum = r.dropCumAfter();
            if (r.droppable()) {
                freed += r.size();
                count++;
            }
        }
        if (count > 0) {
            StateFiles.writeAtomically(dropFile, Long.toString(dropWatermark));
            long n = count;
            long b = freed;
            LOG.log(Level.WARNING, () -> "outbox over its budget of " + maxBytes + " bytes: dropped " + n
                    + " unacked console chunks/snapshots (" + b + " bytes)");
            var data = Json.mapper().createObjectNode().put("count", count).put("bytes", freed);
            String frame = Codec.encodeAgent(new AgentMessage.EventsAppend(null, "outbox.dropped", data),
                    lastSeq + 1, clock.instant());
            append(lastSeq + 1, false, Record.HEADER + frame.getBytes(StandardCharsets.UTF_8).length, frame);
        }
        if (freed < excess && !warnedFull) {
            warnedFull = true;
            LOG.log(Level.WARNING, "outbox over its budget and nothing droppable is left: keeping approvals, "
                    + "results and events anyway");
        }
    }

    /** Cumulative ack: everything up to {@code seq} is stored by the server. Deletes fully acked cycles. */
    public void ack(long seq) {
        long write = -1;
        long keepFrom = -1;
        lock.lock();
        try {
            if (seq <= acked || closed) {
                return;
            }
            acked = seq;
            if (seq > lastSeq) {
                lastSeq = seq; // the server has seqs we never wrote (state dir lost): never reuse them
            }
            Record a = ackCursor.advanceThrough(seq);
            if (a != null) {
                ackedCum = a.cumAfter();
                ackedDropCum = a.dropCumAfter();
            }
            if (dropWatermark <= acked + 1) {
                dropCursor.moveTo(ackCursor);
                wmDropCum = ackedDropCum;
            }
            long now = clock.millis();
            if (now - lastAckWrite >= ACK_WRITE_INTERVAL_MS || now < lastAckWrite) {
                lastAckWrite = now;
                keepFrom = Math.min(ackCursor.lastIndex(), dropCursor.lastIndex());
                if (acked != writtenAck) {
                    write = acked;
                    writtenAck = acked;
                } else {
                    deleteAckedCycles(keepFrom);
                    keepFrom = -1;
                }
            }
        } finally {
            lock.unlock();
        }
        if (write < 0) {
            return;
        }
        // the file and its fsyncs (tens of ms on a busy disk) outside the lock: every send waits for that lock,
        // the console's chunks on the tmux reader thread among them
        writeAckedFile(write);
        lock.lock();
        try {
            if (!closed) {
                deleteAckedCycles(keepFrom);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the acked seq and deletes acked cycles (at close). Throttled in {@link #ack}: acks can arrive
     * thousands of times a second and a stale file only means a resend, because the server's own record
     * (agent.welcome) wins on reconnect.
     */
    private void persistAcked() {
        lastAckWrite = clock.millis();
        if (acked != writtenAck) {
            writeAckedFile(acked);
            writtenAck = acked;
        }
        deleteAckedCycles(Math.min(ackCursor.lastIndex(), dropCursor.lastIndex()));
    }

    /** Writes {@code seq} to the acked file unless a later one is there already; one writer at a time. */
    private void writeAckedFile(long seq) {
        synchronized (ackFileWrite) {
            if (seq > ackFileSeq) {
                StateFiles.writeAtomically(ackedFile, Long.toString(seq));
                ackFileSeq = seq;
            }
        }
    }

    /** Deletes the cycles wholly before index {@code idx} (both cursors are past it). */
    private void deleteAckedCycles(long idx) {
        if (idx < 0) {
            return;
        }
        int keepFrom = Math.min(ROLL.toCycle(idx), queue.cycle());
        int first = queue.firstCycle();
        if (first == Integer.MAX_VALUE || first >= keepFrom) {
            return;
        }
        boolean deleted = false;
        for (Long c : queue.listCyclesBetween(first, keepFrom - 1)) {
            File f = cycleFile(c.intValue());
            if (f.exists() && f.delete()) {
                deleted = true;
                LOG.log(Level.DEBUG, () -> "deleted acked cycle " + f);
            }
        }
        if (deleted) {
            queue.refreshDirectoryListing();
        }
    }

    File cycleFile(int cycle) {
        var fmt = java.time.format.DateTimeFormatter.ofPattern(ROLL.format()).withZone(java.time.ZoneOffset.UTC);
        String name = fmt.format(java.time.Instant.ofEpochMilli((long) cycle * ROLL.lengthInMillis()));
        return dir.resolve(name + SingleChronicleQueue.SUFFIX).toFile();
    }

    /** Opens a reader positioned after {@code afterSeq}; one thread uses it at a time. Close it when done. */
    public Reader reader(long afterSeq) {
        Cursor c = new Cursor(queue.createTailer());
        c.advanceThrough(afterSeq);
        return new Reader(c, this, afterSeq);
    }

    boolean skipped(Record r) {
        return r.droppable() && r.seq() < dropWatermark;
    }

    /** Waits until a seq above {@code seq} exists, or the timeout passes. @return the last seq */
    public long awaitAbove(long seq, long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (lastSeq <= seq && nanos > 0 && !closed) {
                nanos = appended.awaitNanos(nanos);
            }
            return lastSeq;
        } finally {
            lock.unlock();
        }
    }

    public long lastSeq() {
        lock.lock();
        try {
            return lastSeq;
        } finally {
            lock.unlock();
        }
    }

    public long ackedSeq() {
        lock.lock();
        try {
            return acked;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes held for the server that are neither acked nor dropped (what the budget limits). */
    public long unackedBytes() {
        lock.lock();
        try {
            long droppedUnacked = Math.max(0, wmDropCum - ackedDropCum);
            return lastCum - ackedCum - droppedUnacked;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            persistAcked();
            closed = true;
            appended.signalAll();
            ackCursor.close();
            dropCursor.close();
            appender.close();
            queue.close();
            // a cycle file was seen still at the umask's mode after close on a loaded machine (the listener had not
            // run for it); inside the 0700 directory nobody else could open it, but leave none behind
            makeFilesPrivate();
        } finally {
            lock.unlock();
        }
    }

    private void makeFilesPrivate() {
        try (var files = Files.list(dir)) {
            files.forEach(PrivateFiles::makePrivate);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
