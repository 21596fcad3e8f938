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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends "something changed" to the other replicas, after the change committed: one bounded queue of ids, drained by
 * one named loop into as few {@code pg_notify} calls as fit (a payload is {@code <origin> <id> <id> …}, under
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

    private record Item(String channel, String id) {
    }

    private final Database db;
    private final String origin;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Set<String> overflowed = java.util.concurrent.ConcurrentHashMap.newKeySet();
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
        if (!queue.offer(new Item(channel, id))) {
            overflowed.add(channel);
            anyOverflow.set(true);
        }
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
                batch.add(new Item(ch, EVERYTHING));
            }
        }
        List<Map.Entry<String, String>> payloads = payloads(batch);
        try {
            db.tx(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    for (Map.Entry<String, String> p : payloads) {
                        ps.setString(1, p.getKey());
                        ps.setString(2, p.getValue());
                        ps.executeQuery().close();
                    }
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
        for (Item i : items) {
            byChannel.computeIfAbsent(i.channel(), k -> new LinkedHashSet<>()).add(i.id());
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
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
