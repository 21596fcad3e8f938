package dev.agentcommander.agentd.approvals;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the last {@code capacity} resolved approvals: the control plane may resend a decision (after a
 * reconnect, from another replica), and one that arrives after its approval was resolved must change nothing.
 * Bounded, so a stream of made-up ids cannot grow agentd's heap; the oldest are forgotten first.
 */
final class RecentIds {
    private final Map<String, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers {@code id}; true when it was not remembered before. */
    synchronized boolean add(String id) {
        return ids.put(id, Boolean.TRUE) == null;
    }
}
