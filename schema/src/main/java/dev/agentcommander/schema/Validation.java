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
            case AgentMessage.Hello h -> require(h.hostName(), AgentMessage.Hello.TYPE, "host_name");
            case AgentMessage.Heartbeat h -> { }
            case AgentMessage.SessionsUpsert u -> {
                if (u.session() == null) {
                    fail(AgentMessage.SessionsUpsert.TYPE, "session");
                }
                require(u.session().sessionId(), AgentMessage.SessionsUpsert.TYPE, "session.session_id");
            }
            case AgentMessage.SessionsRemoved r ->
                    require(r.sessionId(), AgentMessage.SessionsRemoved.TYPE, "session_id");
            case AgentMessage.Snapshot s -> {
                require(s.sessionId(), AgentMessage.Snapshot.TYPE, "session_id");
                require(s.data(), AgentMessage.Snapshot.TYPE, "data");
            }
            case AgentMessage.ConsoleChunk c -> {
                require(c.sessionId(), AgentMessage.ConsoleChunk.TYPE, "session_id");
                require(c.data(), AgentMessage.ConsoleChunk.TYPE, "data");
            }
            case AgentMessage.EventsAppend e ->
                    require(e.eventType(), AgentMessage.EventsAppend.TYPE, "event_type");
            case AgentMessage.ApprovalRequested a -> {
                require(a.approvalId(), AgentMessage.ApprovalRequested.TYPE, "approval_id");
                require(a.toolName(), AgentMessage.ApprovalRequested.TYPE, "tool_name");
            }
            case AgentMessage.ApprovalResolved a -> {
                require(a.approvalId(), AgentMessage.ApprovalResolved.TYPE, "approval_id");
                require(a.outcome(), AgentMessage.ApprovalResolved.TYPE, "outcome");
            }
            case AgentMessage.CommandsResult r ->
                    require(r.commandId(), AgentMessage.CommandsResult.TYPE, "command_id");
            case AgentMessage.Unknown u -> { }
        }
    }

    static void check(ServerMessage m) {
        switch (m) {
            case ServerMessage.Welcome w -> { }
            case ServerMessage.Ack a -> { }
            case ServerMessage.Command c -> {
                require(c.commandId(), ServerMessage.Command.TYPE, "command_id");
                require(c.name(), ServerMessage.Command.TYPE, "name");
            }
            case ServerMessage.ApprovalDecision d -> {
                require(d.approvalId(), ServerMessage.ApprovalDecision.TYPE, "approval_id");
                require(d.behavior(), ServerMessage.ApprovalDecision.TYPE, "behavior"); // UNKNOWN: agentd refuses it
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

    /** A typed field must be present; a value this build does not know decodes as its UNKNOWN and passes. */
    private static void require(Enum<?> value, String type, String field) {
        if (value == null) {
            fail(type, field);
        }
    }

    private static void fail(String type, String field) {
        throw new ProtocolException(ProtocolException.Code.INVALID, type + ": " + field + " is required");
    }
}
