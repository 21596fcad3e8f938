package dev.agentcommander.agentd.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.MutableClock;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
    @TempDir
    Path state;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

    private static AgentMessage event(int i) {
        return new AgentMessage.EventsAppend("s1", "test", Json.mapper().createObjectNode().put("i", i));
    }

    private static AgentMessage chunk(int i) {
        return new AgentMessage.ConsoleChunk("s1", "sub1", i, "x".repeat(1000));
    }

    private static List<Reader.Entry> readAll(Outbox o, long after) {
        List<Reader.Entry> out = new ArrayList<>();
        try (Reader r = o.reader(after)) {
            Reader.Entry e;
            while ((e = r.next()) != null) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void chronicleRunsWithoutItsNativePosixBindingAndStillPersists() {
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            o.send(event(1));
        }
        // the binding would load jnr-ffi and a native stub; the outbox never needs it (see Outbox's constructor)
        assertThat(net.openhft.posix.PosixAPI.posix().getClass().getSimpleName()).isEqualTo("NoOpPosixAPI");
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            assertThat(o.lastSeq()).isEqualTo(1);
        }
    }

    @Test
    void seqKeepsIncreasingAcrossARestart() {
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            assertThat(o.send(event(1))).isEqualTo(1);
            assertThat(o.send(event(2))).isEqualTo(2);
            assertThat(o.send(event(3))).isEqualTo(3);
        }
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            assertThat(o.lastSeq()).isEqualTo(3);
            assertThat(o.send(event(4))).isEqualTo(4);
        }
    }

    @Test
    void ackedSeqIsPersistedAndResendStartsAfterIt() {
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            for (int i = 1; i <= 10; i++) {
                o.send(event(i));
            }
            o.ack(6);
            o.ack(4); // an older cumulative ack changes nothing
        }
        assertThat(state.resolve("acked")).content().isEqualTo("6");
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            assertThat(o.ackedSeq()).isEqualTo(6);
            List<Reader.Entry> resend = readAll(o, o.ackedSeq());
            assertThat(resend).extracting(Reader.Entry::seq).containsExactly(7L, 8L, 9L, 10L);
            var frame = Codec.decodeAgent(resend.get(0).frame());
            assertThat(frame.seq()).isEqualTo(7);
            assertThat(((AgentMessage.EventsAppend) frame.message()).data().get("i").asInt()).isEqualTo(7);
            // the server's record wins even when it is lower than ours
            assertThat(readAll(o, 2)).extracting(Reader.Entry::seq).startsWith(3L, 4L).hasSize(8);
        }
    }

    @Test
    void readerSeesEntriesAppendedAfterItReachedTheEnd() throws Exception {
        try (Outbox o = new Outbox(state, 1 << 30, clock); Reader r = o.reader(0)) {
            o.send(event(1));
            assertThat(r.next().seq()).isEqualTo(1);
            assertThat(r.next()).isNull();
            Thread t = Thread.ofVirtual().start(() -> o.send(event(2)));
            assertThat(o.awaitAbove(1, 5000)).isEqualTo(2);
            t.join();
            assertThat(r.next().seq()).isEqualTo(2);
        }
    }

    @Test
    void overBudgetDropsOldestConsoleChunksButKeepsApprovalsResultsAndEvents() {
        long budget = 20_000;
        try (Outbox o = new Outbox(state, budget, clock)) {
            o.send(new AgentMessage.ApprovalRequested("a1", "s1", "Bash", null, null, "/tmp", null, null));
            o.send(new AgentMessage.CommandsResult("c1", true, null, null));
            for (int i = 0; i < 40; i++) {
                o.send(chunk(i));
                o.send(event(i));
            }
            assertThat(o.unackedBytes()).isLessThanOrEqualTo(budget);
            List<Reader.Entry> all = readAll(o, 0);
            List<String> types = all.stream().map(e -> Codec.decodeAgent(e.frame()).type()).toList();
            assertThat(types).contains("approval.requested", "commands.result");
            assertThat(types.stream().filter("events.append"::equals).count()).isGreaterThan(40);
            long chunks = types.stream().filter("console.chunk"::equals).count();
            assertThat(chunks).isLessThan(40).isGreaterThan(0);
            var drops = all.stream().map(e -> Codec.decodeAgent(e.frame()).message())
                    .filter(m -> m instanceof AgentMessage.EventsAppend ea && ea.eventType().equals("outbox.dropped"))
                    .map(m -> (AgentMessage.EventsAppend) m).toList();
            assertThat(drops).isNotEmpty();
            assertThat(drops.stream().mapToLong(d -> d.data().get("count").asLong()).sum()).isEqualTo(40 - chunks);
            // the newest chunk survives: the oldest go first
            assertThat(all.stream().map(e -> Codec.decodeAgent(e.frame()).message())
                    .filter(m -> m instanceof AgentMessage.ConsoleChunk c && c.offset() == 39)).hasSize(1);
        }
        try (Outbox o = new Outbox(state, budget, clock)) {
            assertThat(o.unackedBytes()).isLessThanOrEqualTo(budget);
            assertThat(readAll(o, 0).stream().filter(e -> e.frame().contains("\"offset\":0,"))).isEmpty();
        }
    }

    @Test
    void fullyAckedOldCyclesAreDeletedButTheCurrentOneIsKept() throws Exception {
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            o.send(event(1));
            File first = o.cycleFile(Outbox.ROLL.toCycle(0) + cycleNow());
            assertThat(first).exists();
            clock.advance(Duration.ofHours(1));
            o.send(event(2));
            clock.advance(Duration.ofHours(1));
            o.send(event(3));
            o.ack(2);
            assertThat(first).doesNotExist();
            assertThat(cq4Files()).hasSize(2);
            clock.advance(Duration.ofSeconds(1)); // ack files are written at most every 200 ms
            o.ack(3);
            assertThat(cq4Files()).hasSize(1);
            assertThat(o.send(event(4))).isEqualTo(4);
        }
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            assertThat(o.lastSeq()).isEqualTo(4);
            assertThat(readAll(o, 3)).extracting(Reader.Entry::seq).containsExactly(4L);
        }
    }

    private int cycleNow() {
        return (int) (clock.millis() / Outbox.ROLL.lengthInMillis());
    }

    private List<Path> cq4Files() throws Exception {
        try (Stream<Path> s = Files.list(state.resolve("outbox"))) {
            return s.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }

    @Test
    void ackBeyondOurLastSeqMeansSeqsAreNeverReused() {
        try (Outbox o = new Outbox(state, 1 << 30, clock)) {
            o.send(event(1));
            o.ack(500);
            assertThat(o.send(event(2))).isEqualTo(501);
        }
    }
}
