package dev.agentcommander.agentd.link;

import dev.agentcommander.schema.ServerMessage;

/** Where the link hands approval decisions; idempotent by approval id (a decision may be resent). */
public interface DecisionSink {
    void onDecision(ServerMessage.ApprovalDecision decision);
}
