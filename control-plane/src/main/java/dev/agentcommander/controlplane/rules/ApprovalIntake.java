package dev.agentcommander.controlplane.rules;

import dev.agentcommander.schema.AgentMessage;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What happens to a new approval inside the ingest transaction that stored it: rules set its risk and may decide
 * it, notifications are queued. In that transaction so that a stored request is never left without its risk, its
 * rule's decision or its notification row, whatever fails after.
 */
@FunctionalInterface
public interface ApprovalIntake {
    /** Nothing: approvals wait for a person (tests that exercise ingest alone). */
    ApprovalIntake NONE = (c, hostId, a) -> false;

    /** Called once per new approval row; true when it was decided (the host then has a decision to receive). */
    boolean stored(Connection c, String hostId, AgentMessage.ApprovalRequested request) throws SQLException;
}
