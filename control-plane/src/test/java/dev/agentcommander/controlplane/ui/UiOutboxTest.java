package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.schema.CloseReason;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.UiEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One socket's outbox with a socket that can be held still: the drop policy of a console lane, pacing across
 * lanes, and a close that always goes out as a frame from the one writer.
 */
class UiOutboxTest {
    private final List<String> written = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<CloseReason> closedWith = new AtomicReference<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean holdWrites = new AtomicBoolean(true);
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean closedDuringWrite = new AtomicBoolean();

    private UiOutbox outbox() {
        return new UiOutbox(Clock.systemUTC(), Instant.now().plusSeconds(3600), frame -> {
            writing.set(true);
            try {
                if (holdWrites.get()) {
                    release.await();
                }
                written.add(frame);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                writing.set(false);
            }
        }, reason -> {
            closedDuringWrite.compareAndSet(false, writing.get());
            closedWith.compareAndSet(null, reason);
        });
    }

    private static String b64(int bytes) {
        return "A".repeat(bytes / 3 * 4);
    }

    private static UiEvent.ConsoleSnapshot screen(String sub, long offset) {
        return new UiEvent.ConsoleSnapshot(sub, "s-1", 80, 24, null, "c2NyZWVu", offset);
    }

    private static JsonNode json(String s) {
        try {
            return Json.mapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> types() {
        synchronized (written) {
            return written.stream().map(f -> json(f).get("type").asText() + ":" + json(f).path("sub").asText())
                    .toList();
        }
    }

    /** Output bytes written in {@code sub}'s chunks, checking each continues the one before. */
    private long chunkBytes(String sub) {
        long next = -1;
        long total = 0;
        synchronized (written) {
            for (String f : written) {
                JsonNode n = json(f);
                if (n.get("type").asText().equals("console.chunk") && sub.equals(n.path("sub").asText())) {
                    long len = java.util.Base64.getDecoder().decode(n.get("data").asText()).length;
                    assertThat(next < 0 || n.get("offset").asLong() == next).as(sub + " chunks continue").isTrue();
                    next = n.get("offset").asLong() + len;
                    total += len;
                }
            }
        }
        return total;
    }

    @Test
    void chunksWaitingInALaneGoOutAsOneFrameWhenTheyContinueEachOtherButNeverPastAFrameQueuedAfterThem() {
        try (UiOutbox o = outbox()) {
            ConsoleLane l = o.lane("c", "s-1");
            l.start(screen("c", 0), List.of(), false);
            l.chunk(new UiEvent.ConsoleChunk("c", "s-1", 0, "YWJj"), () -> null);      // "abc" at 0
            l.chunk(new UiEvent.ConsoleChunk("c", "s-1", 3, "ZGVm"), () -> null);      // "def" at 3: continues it
            l.chunk(new UiEvent.ConsoleChunk("c", "s-1", 100, "Z2hp"), () -> null);    // "ghi" at 100: a gap
            o.offer(UiEvent.encode(new UiEvent.Pong()));
            l.chunk(new UiEvent.ConsoleChunk("c", "s-1", 103, "amts"), () -> null);    // "jkl" after the pong
            holdWrites.set(false);
            release.countDown();
            Await.until("everything written", () -> types().contains("pong:") && written.size() == 6);
            List<String> frames = written.stream().map(UiOutboxTest::json)
                    .map(n -> n.get("type").asText() + " " + n.path("offset").asText() + " " + n.path("data").asText())
                    .toList();
            assertThat(frames).containsExactly("subscribed  ", "console.snapshot 0 c2NyZWVu",
                    "console.chunk 0 YWJjZGVm", "console.chunk 100 Z2hp", "pong  ", "console.chunk 103 amts");
        }
    }

    @Test
    void aLaneThatOverflowsDropsItsOldestOutputForAMarkerAndAFreshScreenWhileOthersKeepEverything() {
        try (UiOutbox o = outbox()) {
            ConsoleLane slow = o.lane("slow", "s-1");
            ConsoleLane other = o.lane("other", "s-2");
            slow.start(screen("slow", 0), List.of(), false);
            other.start(screen("other", 0), List.of(), false);
            long offset = 0;
            int chunks = UiOutbox.LANE_BYTES / (8 * 1024 / 3 * 4) + 10; // more than the slow lane holds
            for (int i = 0; i < chunks; i++) {
                String data = b64(8 * 1024);
                long at = offset;
                slow.chunk(new UiEvent.ConsoleChunk("slow", "s-1", at, data), () -> new ConsoleHub.CatchUp(
                        screen("slow", at + 8190), List.of()));
                if (i < 5) {
                    other.chunk(new UiEvent.ConsoleChunk("other", "s-2", at, data), () -> {
                        throw new AssertionError("the other lane never overflows");
                    });
                }
                offset += 8190;
            }
            assertThat(slow.skips()).isEqualTo(1);
            assertThat(slow.droppedTotal()).isPositive();
            assertThat(o.stats.consoleSkips()).as("the replica's counters (/metrics)").isEqualTo(1);
            assertThat(o.stats.consoleDroppedBytes()).isEqualTo(slow.droppedTotal());
            holdWrites.set(false);
            release.countDown();
            Await.until("both lanes drained", () -> chunkBytes("other") == 5 * 8190L
                    && types().contains("console.skipped:slow"));
            assertThat(types()).as("the other lane: its screen and all of its output, nothing skipped")
                    .contains("subscribed:other", "console.snapshot:other").doesNotContain("console.skipped:other");
            List<String> slowFrames = types().stream().filter(t -> t.endsWith(":slow")).toList();
            int skipped = slowFrames.indexOf("console.skipped:slow");
            assertThat(slowFrames.get(skipped + 1)).as("a fresh screen right after the marker")
                    .isEqualTo("console.snapshot:slow");
            JsonNode marker = written.stream().map(UiOutboxTest::json)
                    .filter(n -> n.get("type").asText().equals("console.skipped")).findFirst().orElseThrow();
            assertThat(marker.get("reason").asText()).isEqualTo(UiEvent.ConsoleSkipped.VIEWER_BEHIND);
            assertThat(marker.get("bytes").asLong()).isPositive();
            assertThat(closedWith.get()).as("dropping output is not a reason to close").isNull();
        }
    }

    @Test
    void lanesAreServedInTurnScreensFirstAndAPongWaitsForWhatCameBeforeIt() {
        try (UiOutbox o = outbox()) {
            List<ConsoleLane> lanes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ConsoleLane l = o.lane("c" + i, "s-" + i);
                List<UiEvent.ConsoleChunk> tail = new ArrayList<>();
                for (int k = 0; k < 20; k++) {
                    tail.add(new UiEvent.ConsoleChunk("c" + i, "s-" + i, k, "QUFB"));
                }
                l.start(screen("c" + i, 0), tail, false);
                lanes.add(l);
            }
            o.offer(UiEvent.encode(new UiEvent.Pong()));
            holdWrites.set(false);
            release.countDown();
            Await.until("everything written", () -> written.size() == 5 * 22 + 1);
            List<String> t = types();
            int firstChunk = t.indexOf(t.stream().filter(x -> x.startsWith("console.chunk")).findFirst().get());
            // the first write may have been taken before the others were queued; after it, every screen comes first
            assertThat(t.subList(1, firstChunk).stream().filter(x -> x.startsWith("console.snapshot")).count())
                    .isGreaterThanOrEqualTo(4);
            assertThat(t.get(t.size() - 1)).isEqualTo("pong:");
        }
    }

    @Test
    void aFullQueueClosesTheSocketWithItsReasonFromTheWriterAfterTheWriteInProgress() {
        try (UiOutbox o = outbox()) {
            o.offer("{\"type\":\"pong\"}");
            Await.until("the writer is inside a write", writing::get);
            for (int i = 0; i < UiOutbox.CAPACITY + 1; i++) {
                o.offer("{\"type\":\"pong\"}");
            }
            assertThat(closedWith.get()).as("not while a write is in progress").isNull();
            release.countDown();
            Await.until("closed", () -> closedWith.get() != null);
            assertThat(closedWith.get()).isEqualTo(UiOutbox.TOO_SLOW);
            assertThat(closedWith.get().reason()).contains("too slow");
            assertThat(closedDuringWrite.get()).as("the close never races a write").isFalse();
            assertThat(written).hasSize(1); // what was still queued is dropped, not written after the close
        }
    }
}
