package dev.agentcommander.controlplane.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.CommandRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.fanout.HostNotifier;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Json;

/**
 * Issues a command the reliable way: the row (status queued) and its audit line commit together, then the host
 * is signalled. Whoever holds the host's socket reads the row and sends it; nothing is handed over in memory.
 */
public final class CommandService {
    private final Database db;
    private final HostNotifier notifier;

    public CommandService(Database db, HostNotifier notifier) {
        this.db = db;
        this.notifier = notifier;
    }

    /** Queues {@code spec} for {@code hostId}; returns the stored command (with {@code command_id}). */
    public ObjectNode issue(String actor, String role, String hostId, CommandSpec spec) {
        String id = CommandRows.newId();
        ObjectNode args = spec.toArgs();
        String sessionId = args.hasNonNull("session_id") ? args.get("session_id").asText() : null;
        ObjectNode row = db.tx(c -> {
            ObjectNode r = CommandRows.insert(c, id, hostId, sessionId, spec.name(), args, actor);
            ObjectNode detail = Json.mapper().createObjectNode();
            detail.put("name", spec.name());
            detail.put("host_id", hostId);
            detail.put("session_id", sessionId);
            Audit.write(c, actor, role, "command.create", id, detail);
            return r;
        });
        notifier.hostHasWork(hostId);
        return row;
    }
}
