package dev.agentcommander.controlplane.fanout;

import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.schema.loop.Backoff;
import dev.agentcommander.schema.loop.NamedLoop;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends "something changed" to the other replicas, after the change committed: one bounded queue of ids, drained by
 * one named loop into as few payloads as fit (a payload is {@code <origin> <id> <id> …}, under
 * Postgres' 8000-byte limit), all in one transaction. Publishers never wait on it. While Postgres is away the ids
 * wait and are sent when it is back; if the queue overflows, the ids are replaced by {@code *} ("re-read
 * everything"), so a receiver is told it missed something instead of missing it silently.
 */
public final class PgNotifySender implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PgNotifySender.class.getName());
    static final int CAPACITY = 65_536;
    /** Bytes of ids per payload: under the server's 8000 with room for the origin. */
    static final int MAX_PAYLOAD = 7_000;
    /** The id that means "you may have missed anything on this channel: re-read". */
    public static final String EVERYTHING = "*";

    /** {@code raw}: a payload of its own, sent as it is (console bytes), never merged or deduplicated. */
    private record Item(String channel, String id, boolean raw) {
    }

    private final Database db;
    private final String origin;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Set<String> overflowed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean anyOverflow = new AtomicBoolean();
    private final Backoff backoff = Backoff.capped(Duration.ofSeconds(2));
    private final List<Item> batch = new ArrayList<>();
    private NamedLoop loop;

    public PgNotifySender(Database db, String origin) {
        this.db = db;
        this.origin = origin;
    }

    public PgNotifySender start() {
        loop = NamedLoop.start("pg-notify", this::round);
        return this;
    }

    /** Queues {@code id} for {@code channel}; never blocks. */
    public void send(String channel, String id) {
        if (!queue.offer(new Item(channel, id, false))) {
            overflowed.add(channel);
            anyOverflow.set(true);
        }
    }

    /**
     * Queues one payload (after the origin) to go out alone and in order; dropped when the queue is full (console
     * bytes: the receiver sees the gap in offsets and redraws from the next screen).
     */
    public boolean sendRaw(String channel, String payload) {
        return queue.offer(new Item(channel, payload, true));
    }

    private void round() throws InterruptedException {
        if (batch.isEmpty()) {
            Item first = queue.poll(250, TimeUnit.MILLISECONDS);
            if (first == null && !anyOverflow.get()) {
                return;
            }
            if (first != null) {
                batch.add(first);
            }
            queue.drainTo(batch, 4096);
        }
        if (anyOverflow.getAndSet(false)) {
            for (String ch : List.copyOf(overflowed)) {
                overflowed.remove(ch);
                batch.removeIf(i -> i.channel().equals(ch));
                batch.add(new Item(ch, EVERYTHING, false));
            }
        }
        List<Map.Entry<String, String>> payloads = payloads(batch);
        try {
            db.tx(c -> {
                // one round trip for the batch; a set-returning unnest is evaluated in array order
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT pg_notify(ch, p) FROM unnest(?::text[], ?::text[]) AS t(ch, p)")) {
                    ps.setArray(1, c.createArrayOf("text", payloads.stream().map(Map.Entry::getKey).toArray()));
                    ps.setArray(2, c.createArrayOf("text", payloads.stream().map(Map.Entry::getValue).toArray()));
                    ps.executeQuery().close();
                }
                return null;
            });
            batch.clear();
            backoff.reset();
        } catch (DbException e) {
            if (loop != null && !loop.running()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "notify of " + batch.size() + " changes failed, retrying: "
                    + e.getMessage());
            backoff.pause(); // the batch is kept and sent again: a receiver re-reads by id, twice is harmless
        }
    }

    /** Groups ids per channel (duplicates once) into payloads of at most {@link #MAX_PAYLOAD} bytes. */
    private List<Map.Entry<String, String>> payloads(List<Item> items) {
        Map<String, Set<String>> byChannel = new LinkedHashMap<>();
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Item i : items) {
            if (i.raw()) {
                out.add(Map.entry(i.channel(), origin + " " + i.id()));
            } else {
                byChannel.computeIfAbsent(i.channel(), k -> new LinkedHashSet<>()).add(i.id());
            }
        }
        byChannel.forEach((ch, ids) -> {
            StringBuilder b = new StringBuilder(origin);
            for (String id : ids) {
                if (b.length() + 1 + id.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
                    out.add(Map.entry(ch, b.toString()));
                    b = new StringBuilder(origin);
                }
                b.append(' ').append(id);
            }
            out.add(Map.entry(ch, b.toString()));
        });
        return out;
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
