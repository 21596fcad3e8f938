package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A viewer that stops reading while a pane floods: it alone loses output, and is told so with a marker and a
 * screen to redraw from; a viewer of the same stream that reads gets every byte, the host's link is acked as
 * before, and nobody is disconnected.
 */
class ConsoleSlowViewerTest {
    private static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);
    private static final int CHUNKS = 160;
    private static final int CHUNK_BYTES = 96 * 1024; // 160 × 128 KiB of base64: far more than TCP buffers hold

    private static String subscribe(String sub, String sessionId) {
        return "{\"type\":\"subscribe\",\"sub\":\"" + sub + "\",\"topic\":\"console\",\"filter\":{\"session_id\":\""
                + sessionId + "\"}}";
    }

    @Test
    void aViewerThatStopsReadingIsSkippedWithAMarkerAndAScreenWhileAnotherGetsEveryByte() {
        ObjectNode h = cp.createHost("slow-viewer");
        try (WsClient a = cp.agent(h.get("token").asText(), "slow-viewer", 0);
             WsClient fast = cp.ui(cp.token("fast-viewer", Role.VIEWER));
             WsClient slow = WsClient.connectHeld(cp.ws("/v1/ui?token=" + cp.token("slow-viewer", Role.VIEWER)),
                     null)) {
            a.send(Frames.upsert(1, "s-flood", "flood"));
            a.nextOfType("agent.ack");
            fast.send(subscribe("f", "s-flood"));
            String subId = a.nextOfType("command").at("/payload/args/subscription_id").asText();
            slow.send(subscribe("s", "s-flood"));
            a.send(Frames.snapshot(2, "s-flood", subId, "first screen"));
            String block = "x".repeat(CHUNK_BYTES);
            long seq = 2;
            long offset = 0;
            // the pane prints as fast as the reading viewer reads (each chunk once it has the one before): it must
            // miss nothing, however far behind the other viewer falls
            for (int i = 0; i < CHUNKS; i++) {
                a.send(Frames.chunk(++seq, "s-flood", subId, offset, block));
                JsonNode c = fast.next("chunk " + i, Duration.ofSeconds(30),
                        n -> n.path("type").asText().startsWith("console.") && !n.path("type").asText()
                                .equals("console.snapshot"));
                assertThat(c.get("type").asText()).as("the reading viewer misses nothing").isEqualTo("console.chunk");
                assertThat(c.get("offset").asLong()).isEqualTo(offset);
                offset += CHUNK_BYTES;
            }
            long last = seq;
            a.next(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == last);
            // the host cuts a keyframe: the viewer that lost output redraws from it
            a.send(Frames.frame("snapshot", ++seq, "{\"session_id\":\"s-flood\",\"subscription_id\":\"" + subId
                    + "\",\"cols\":80,\"rows\":24,\"data\":\"" + Frames.base64("keyframe screen") + "\",\"offset\":"
                    + offset + ",\"reason\":\"keyframe\"}"));
            a.send(Frames.chunk(++seq, "s-flood", subId, offset, "after"));
            slow.resume();
            List<JsonNode> seen = slow.until(n -> n.path("type").asText().equals("console.chunk")
                    && n.get("data").asText().equals(Frames.base64("after")));
            JsonNode skipped = seen.stream().filter(n -> n.path("type").asText().equals("console.skipped"))
                    .findFirst().orElseThrow(() -> new AssertionError("no console.skipped in " + seen.size()));
            assertThat(skipped.get("reason").asText()).isEqualTo("viewer_behind");
            assertThat(skipped.get("bytes").asLong()).isPositive();
            int at = seen.indexOf(skipped);
            assertThat(seen.subList(at, seen.size())).filteredOn(n -> n.path("type").asText()
                    .equals("console.snapshot")).extracting(n -> n.get("data").asText())
                    .containsExactly(Frames.base64("keyframe screen"));
            assertThat(slow.closed).as("cut short, not cut off").isNotDone();
            assertThat(fast.closed).isNotDone();
            assertThat(fast.next(n -> n.path("type").asText().equals("console.chunk")).get("data").asText())
                    .isEqualTo(Frames.base64("after"));
        }
    }
}
