package dev.agentcommander.controlplane.fanout;

import dev.agentcommander.schema.Ids;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * "Host H has work" across replicas: handlers in this JVM are called at once, and the host id goes out on
 * channel {@value #CHANNEL} after the commit, so the replica holding H's socket (wherever it is) wakes its delivery
 * loop, which reads the rows. A new connection's handshake is signalled the same way, so a replica still holding an
 * older socket of that host checks its epoch now and closes it. After the LISTEN connection was down,
 * {@link #onMissedWork} handlers look again for every host they hold.
 */
public final class PgHostNotifier implements HostNotifier {
    public static final String CHANNEL = "ac_host_work";

    private final CopyOnWriteArrayList<Consumer<String>> handlers = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> missed = new CopyOnWriteArrayList<>();
    private final PgNotifySender sender;
    private final String origin;

    public PgHostNotifier(PgNotifySender sender, String origin) {
        this.sender = sender;
        this.origin = origin;
    }

    @Override
    public void hostHasWork(String hostId) {
        handlers.forEach(h -> h.accept(hostId));
        sender.send(CHANNEL, hostId);
    }

    @Override
    public void onHostWork(Consumer<String> handler) {
        handlers.add(handler);
    }

    @Override
    public void onMissedWork(Runnable handler) {
        missed.add(handler);
    }

    /** A payload from the LISTEN connection: host ids (or {@code *}) from another replica. */
    public void received(String payload) {
        var words = PgListener.items(payload);
        if (words.isEmpty() || words.get(0).equals(origin)) {
            return;
        }
        for (String id : words.subList(1, words.size())) {
            if (id.equals(PgNotifySender.EVERYTHING)) {
                reconnected();
            } else if (Ids.isOpaque(id)) {
                handlers.forEach(h -> h.accept(id));
            }
        }
    }

    /** The LISTEN connection came back: signals sent meanwhile are lost. */
    public void reconnected() {
        missed.forEach(Runnable::run);
    }
}
