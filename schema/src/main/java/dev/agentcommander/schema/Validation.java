package dev.agentcommander.schema;

/**
 * Field checks that the type system cannot make: required ids and bounded values. One exhaustive switch per
 * direction, so a new message type does not compile until someone decides what it requires.
 */
final class Validation {
    private Validation() {
    }

    static void check(AgentMessage m) {
        switch (m) {
            case AgentMessage.Hello h -> require(h.hostName(), "agent.hello", "host_name");
            case AgentMessage.Heartbeat h -> { }
            case AgentMessage.SessionsUpsert u -> {
                if (u.session() == null) {
                    fail("sessions.upsert", "session");
                }
                require(u.session().sessionId(), "sessions.upsert", "session.session_id");
            }
            case AgentMessage.SessionsRemoved r -> require(r.sessionId(), "sessions.removed", "session_id");
            case AgentMessage.Snapshot s -> {
                require(s.sessionId(), "snapshot", "session_id");
                require(s.data(), "snapshot", "data");
            }
            case AgentMessage.ConsoleChunk c -> {
                require(c.sessionId(), "console.chunk", "session_id");
                require(c.data(), "console.chunk", "data");
            }
            case AgentMessage.EventsAppend e -> require(e.eventType(), "events.append", "event_type");
            case AgentMessage.ApprovalRequested a -> {
                require(a.approvalId(), "approval.requested", "approval_id");
                require(a.toolName(), "approval.requested", "tool_name");
            }
            case AgentMessage.ApprovalResolved a -> {
                require(a.approvalId(), "approval.resolved", "approval_id");
                require(a.outcome(), "approval.resolved", "outcome");
            }
            case AgentMessage.CommandsResult r -> require(r.commandId(), "commands.result", "command_id");
            case AgentMessage.Unknown u -> { }
        }
    }

    static void check(ServerMessage m) {
        switch (m) {
            case ServerMessage.Welcome w -> { }
            case ServerMessage.Ack a -> { }
            case ServerMessage.Command c -> {
                require(c.commandId(), "command", "command_id");
                require(c.name(), "command", "name");
            }
            case ServerMessage.ApprovalDecision d -> {
                require(d.approvalId(), "approval.decision", "approval_id");
                if (!"allow".equals(d.behavior()) && !"deny".equals(d.behavior())) {
                    throw new ProtocolException(ProtocolException.Code.INVALID,
                            "approval.decision: behavior must be allow or deny");
                }
            }
            case ServerMessage.Error e -> { }
            case ServerMessage.Unknown u -> { }
        }
    }

    private static void require(String value, String type, String field) {
        if (value == null || value.isBlank()) {
            fail(type, field);
        }
    }

    private static void fail(String type, String field) {
        throw new ProtocolException(ProtocolException.Code.INVALID, type + ": " + field + " is required");
    }
}
