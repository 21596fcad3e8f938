package dev.agentcommander.agentd.outbox;

import dev.agentcommander.schema.AgentMessage;

/**
 * The only way anything in agentd talks to the control plane: the message is appended to the persisted outbox
 * with the next seq before this returns, and the link delivers it when it can. Callers never see the network.
 */
public interface Outbound {
    /**
     * Durably queues {@code message}.
     *
     * @return the seq assigned to it
     */
    long send(AgentMessage message);
}
