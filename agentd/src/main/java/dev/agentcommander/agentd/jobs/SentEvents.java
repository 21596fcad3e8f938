package dev.agentcommander.agentd.jobs;

import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.outbox.Reader;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.ProtocolException;

/**
 * What a job already put in the outbox after its state file was last written. A job's state is written every few
 * hundred milliseconds, not after every line (an fsync per line would cap a job at a few hundred lines a second),
 * so after a crash the outbox may hold a few lines, or the {@code job.exited}, that the state file does not count
 * yet. A restarted agentd counts them here and skips them: no line is sent twice. The outbox keeps every entry
 * after an unacked or recent seq (it deletes only whole acked hourly cycles, and none before the link starts), so
 * what the state file's seq points past is still there.
 */
public interface SentEvents {
    /** Counts of one job's events found after a seq. */
    record Seen(long lines, boolean started, boolean exited) {
    }

    /** The last seq given out so far: what a state file written now accounts for. */
    long lastSeq();

    /** The job events of {@code sessionId} after {@code seq}. */
    Seen after(long seq, String sessionId);

    static Seen count(Iterable<AgentMessage> messages, String sessionId) {
        long lines = 0;
        boolean started = false;
        boolean exited = false;
        for (AgentMessage m : messages) {
            if (m instanceof AgentMessage.EventsAppend e && sessionId.equals(e.sessionId())) {
                switch (e.eventType()) {
                    case CodexLine.EVENT, CodexLine.UNPARSED -> lines++;
                    case JobRunner.STARTED -> started = true;
                    case JobRunner.EXITED -> exited = true;
                    default -> { }
                }
            }
        }
        return new Seen(lines, started, exited);
    }

    /** Reads agentd's own outbox. */
    static SentEvents of(Outbox outbox) {
        return new SentEvents() {
            @Override
            public long lastSeq() {
                return outbox.lastSeq();
            }

            @Override
            public Seen after(long seq, String sessionId) {
                java.util.List<AgentMessage> mine = new java.util.ArrayList<>();
                String quoted = "\"" + sessionId + "\"";
                try (Reader r = outbox.reader(seq)) {
                    Reader.Entry e;
                    while ((e = r.next()) != null) {
                        if (!e.frame().contains(quoted)) {
                            continue;
                        }
                        try {
                            AgentMessage m = Codec.decodeAgent(e.frame()).message();
                            if (m instanceof AgentMessage.EventsAppend) {
                                mine.add(m);
                            }
                        } catch (ProtocolException ignored) {
                            // not ours to judge here; the link sends it as it is
                        }
                    }
                }
                return count(mine, sessionId);
            }
        };
    }
}
