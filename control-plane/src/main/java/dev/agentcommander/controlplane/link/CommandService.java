package dev.agentcommander.controlplane.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.CommandRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.fanout.HostNotifier;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.IntFunction;

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
        ObjectNode row = db.tx(c -> insertAudited(c, actor, role, id, hostId, spec));
        notifier.hostHasWork(hostId);
        return row;
    }

    /** The command's row and its {@code command.create} audit line, in the caller's transaction. */
    private static ObjectNode insertAudited(Connection c, String actor, String role, String id, String hostId,
                                            CommandSpec spec) throws SQLException {
        ObjectNode args = spec.toArgs();
        String sessionId = args.hasNonNull("session_id") ? args.get("session_id").asText() : null;
        ObjectNode row = CommandRows.insert(c, id, hostId, sessionId, spec.name(), args, actor);
        ObjectNode detail = Json.mapper().createObjectNode();
        detail.put("name", spec.name());
        detail.put("host_id", hostId);
        detail.put("session_id", sessionId);
        Audit.write(c, actor, role, "command.create", id, detail);
        return row;
    }

    /** A command for a host, one of a list {@link #issueAll} stores together. */
    public record ForHost(String hostId, CommandSpec spec) {
    }

    /**
     * Queues several commands, each its row and audit line as {@link #issue} would write them, in one transaction
     * and in list order (delivery orders one transaction's rows by id): the console hub's subscribes when a viewer
     * opens a hundred consoles at once cost one commit, not a hundred.
     */
    public void issueAll(String actor, String role, List<ForHost> commands) {
        if (commands.isEmpty()) {
            return;
        }
        db.tx(c -> {
            IntFunction<String> ids = CommandRows.orderedIds();
            for (int i = 0; i < commands.size(); i++) {
                insertAudited(c, actor, role, ids.apply(i), commands.get(i).hostId(), commands.get(i).spec());
            }
            return null;
        });
        commands.stream().map(ForHost::hostId).distinct().forEach(notifier::hostHasWork);
    }

    /**
     * Queues what a person typed into a dashboard terminal: every spec a row, in order, in one transaction (so
     * they are delivered in this order, each at most once, like any command). Typing is audited per burst, not per
     * key: when {@code newBurst} one {@code session.input} row is written with the transaction.
     */
    public void issueInput(String actor, String role, String hostId, String sessionId, List<CommandSpec> specs,
                           boolean newBurst) {
        db.tx(c -> {
            IntFunction<String> ids = CommandRows.orderedIds();
            for (int i = 0; i < specs.size(); i++) {
                CommandSpec spec = specs.get(i);
                CommandRows.insert(c, ids.apply(i), hostId, sessionId, spec.name(), spec.toArgs(), actor);
            }
            if (newBurst) {
                ObjectNode detail = Json.mapper().createObjectNode();
                detail.put("host_id", hostId);
                detail.put("session_id", sessionId);
                Audit.write(c, actor, role, "session.input", sessionId, detail);
            }
            return null;
        });
        notifier.hostHasWork(hostId);
    }
}
