package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Codex's PermissionRequest hook fails closed when its answer carries an edited input or a permission change, so
 * a decision on a Codex session's approval that asks for either is refused with 400 here (agentd refuses it too),
 * never quietly sent as a plain allow.
 */
final class CodexApprovals {
    static final String NO_EDITS = "updated_input and updated_permissions cannot be sent to Codex (its hook fails "
            + "closed on them); decide with behavior and message only";

    private CodexApprovals() {
    }

    /** Whether approval {@code id} was raised by a Codex session. */
    static boolean isCodex(Connection c, String id) throws SQLException {
        ObjectNode a = ApprovalRows.find(c, id);
        String sid = a == null ? null : a.path("session_id").asText(null);
        Session s = sid == null ? null : SessionRows.find(c, sid);
        return s != null && s.provider() == Provider.CODEX;
    }
}
