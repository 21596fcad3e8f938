package dev.agentcommander.agentd.testkit;

import dev.agentcommander.agentd.jobs.SentEvents;
import dev.agentcommander.schema.AgentMessage;
import java.util.List;

/** {@link SentEvents} over a {@link RecordingOutbound}: what the recording holds after a seq. */
public final class RecordingSent {
    private RecordingSent() {
    }

    public static SentEvents of(RecordingOutbound out) {
        return new SentEvents() {
            @Override
            public long lastSeq() {
                List<RecordingOutbound.Sent> all = out.sent();
                return all.isEmpty() ? 0 : all.getLast().seq();
            }

            @Override
            public Seen after(long seq, String sessionId) {
                List<AgentMessage> after = out.sent().stream().filter(s -> s.seq() > seq)
                        .map(RecordingOutbound.Sent::message).toList();
                return SentEvents.count(after, sessionId);
            }
        };
    }
}
