package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Console frames are relayed on arrival and never stored, so a batch of nothing else is acked without a commit while
 * the host row was written within {@link Ingest#ACK_WRITE_EVERY}; the row, the resume point of the next connection,
 * catches up at the next commit or once the link is quiet. The clock is frozen, so "within" does not depend on how
 * fast the machine is.
 */
class ConsoleAcksTest {
    private static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);

    /** Frozen for every test: "within ACK_WRITE_EVERY / CONSOLE_ACK_EVERY" holds until a test advances it. */
    @BeforeEach
    void freeze() {
        clock.freeze();
    }

    @AfterEach
    void thaw() {
        clock.thaw();
    }

    private static long rowAcked(String hostId) {
        return cp.count("SELECT last_acked_seq FROM hosts WHERE id = '" + hostId + "'");
    }

    private static long gapsAudited(String hostId) {
        return cp.count("SELECT count(*) FROM audit_log WHERE action = 'ingest.gap' AND target = '" + hostId + "'");
    }

    @Test
    void consoleFramesAreAckedBeforeTheHostRowRecordsThemAndTheRowCatchesUpOnceTheLinkIsQuiet() {
        ObjectNode h = cp.createHost("box-ack");
        String hostId = h.at("/host/id").asText();
        String token = h.get("token").asText();
        try (WsClient a = cp.agent(token, "box-ack", 0)) {
            a.send(Frames.upsert(1, "s-ack", "console acks"));
            a.next(n -> n.at("/payload/seq").asLong() == 1);
            assertThat(rowAcked(hostId)).as("a stored message is acked after its commit").isEqualTo(1);

            a.send(Frames.chunk(2, "s-ack", "sub-ack", 0, "one"));
            a.send(Frames.chunk(3, "s-ack", "sub-ack", 3, "two"));
            a.next(n -> n.at("/payload/seq").asLong() == 3);
            assertThat(rowAcked(hostId)).as("console frames only: acked, the row not written").isEqualTo(1);

            a.send(Frames.event(4, "s-ack", "hook.Stop"));
            a.next(n -> n.at("/payload/seq").asLong() == 4);
            assertThat(rowAcked(hostId)).as("the next commit carries the row past them").isEqualTo(4);
            assertThat(gapsAudited(hostId)).as("the frames acked without a commit are no gap").isZero();

            a.send(Frames.chunk(5, "s-ack", "sub-ack", 6, "three"));
            a.next(n -> n.at("/payload/seq").asLong() == 5);
            assertThat(rowAcked(hostId)).isEqualTo(4);
            clock.advance(Ingest.ACK_WRITE_EVERY.plusMillis(1));
            Await.until("the quiet link's row catches up with its acks", Duration.ofSeconds(20),
                    () -> rowAcked(hostId) == 5);
        }
        assertThat(cp.resumePoint(token, "box-ack")).isEqualTo(5);
    }

    @Test
    void aBurstOfConsoleFramesIsAckedOnceTheLinkIsQuietNotFrameByFrame() {
        ObjectNode h = cp.createHost("box-burst");
        // the frozen clock: CONSOLE_ACK_EVERY never passes, only the quiet link's poll sends a console-only ack
        try (WsClient a = cp.agent(h.get("token").asText(), "box-burst", 0)) {
            a.send(Frames.upsert(1, "s-burst", "console burst"));
            a.next(n -> n.at("/payload/seq").asLong() == 1);
            int frames = 200;
            for (int i = 0; i < frames; i++) {
                a.send(Frames.chunk(2 + i, "s-burst", "sub-burst", i, "x"));
            }
            int acks = 0;
            long seq = 0;
            while (seq < frames + 1) {
                seq = a.nextOfType("agent.ack").at("/payload/seq").asLong();
                acks++;
            }
            assertThat(seq).isEqualTo(frames + 1);
            // one, or a few if this machine paused the burst for a poll (250 ms) in between: never one per frame
            assertThat(acks).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void aSocketClosedRightAfterConsoleAcksLeavesItsLastAckAsTheNextResumePoint() {
        ObjectNode h = cp.createHost("box-close");
        String hostId = h.at("/host/id").asText();
        String token = h.get("token").asText();
        try (WsClient a = cp.agent(token, "box-close", 0)) {
            a.send(Frames.upsert(1, "s-close", "console close"));
            a.next(n -> n.at("/payload/seq").asLong() == 1);
            a.send(Frames.chunk(2, "s-close", "sub-close", 0, "bye"));
            a.next(n -> n.at("/payload/seq").asLong() == 2);
            assertThat(rowAcked(hostId)).isEqualTo(1);
        }
        Await.until("the close wrote the socket's last ack", () -> rowAcked(hostId) == 2);
        assertThat(cp.resumePoint(token, "box-close")).isEqualTo(2);
    }

    @Test
    void aConsoleFrameAfterAGapGoesThroughTheTransactionAndTheGapIsAudited() {
        ObjectNode h = cp.createHost("box-gap");
        String hostId = h.at("/host/id").asText();
        try (WsClient a = cp.agent(h.get("token").asText(), "box-gap", 0)) {
            a.send(Frames.upsert(1, "s-gap", "console gap"));
            a.next(n -> n.at("/payload/seq").asLong() == 1);
            a.send(Frames.chunk(5, "s-gap", "sub-gap", 0, "after a gap"));
            a.next(n -> n.at("/payload/seq").asLong() == 5);
            assertThat(rowAcked(hostId)).isEqualTo(5);
            assertThat(gapsAudited(hostId)).isEqualTo(1);
        }
    }
}
