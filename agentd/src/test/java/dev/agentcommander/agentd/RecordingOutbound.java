package dev.agentcommander.agentd;

import dev.agentcommander.schema.AgentMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An Outbound that keeps what was sent, for tests that look at messages rather than the wire. */
public final class RecordingOutbound implements Outbound {
    public final List<AgentMessage> sent = new CopyOnWriteArrayList<>();

    @Override
    public long send(AgentMessage message) {
        sent.add(message);
        return sent.size();
    }

    public <T extends AgentMessage> List<T> of(Class<T> type) {
        return sent.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
