package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Opening a dashboard on a busy fleet: a viewer that subscribes to a hundred streaming consoles at once gets every
 * screen and every tail and stays connected (their catch-up once overflowed one 4 096-frame queue, and the socket
 * was dropped), and a keyframe or a resync from the host reaches viewers the way each needs it.
 */
class ConsoleJoinTest {
    private static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);
    private static final int SESSIONS = 100;
    private static final int TAIL = 45; // 100 × (screen + 45 chunks) is more than 4 096 frames

    private static String subscribe(String sub, String sessionId) {
        return "{\"type\":\"subscribe\",\"sub\":\"" + sub + "\",\"topic\":\"console\",\"filter\":{\"session_id\":\""
                + sessionId + "\"}}";
    }

    private static String snapshot(long seq, String sessionId, String subId, String text, long offset, String reason) {
        return Frames.frame("snapshot", seq, "{\"session_id\":\"" + sessionId + "\",\"subscription_id\":\"" + subId
                + "\",\"cols\":80,\"rows\":24,\"data\":\"" + Frames.base64(text) + "\",\"offset\":" + offset
                + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}");
    }

    @Test
    void aViewerJoiningAHundredBusyConsolesGetsEveryScreenAndTailAndStaysConnected() {
        ObjectNode h = cp.createHost("join-busy");
        try (WsClient a = cp.agent(h.get("token").asText(), "join-busy", 0);
             WsClient first = cp.ui(cp.token("join-first", Role.VIEWER))) {
            long seq = 0;
            for (int i = 0; i < SESSIONS; i++) {
                a.send(Frames.upsert(++seq, "s-busy-" + i, "busy " + i));
            }
            long upserts = seq;
            a.next(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == upserts);
            Map<String, String> subIds = new HashMap<>();
            for (int i = 0; i < SESSIONS; i++) {
                first.send(subscribe("c" + i, "s-busy-" + i));
            }
            List<String> asked = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                JsonNode cmd = a.nextOfType("command");
                subIds.put(cmd.at("/payload/args/session_id").asText(), cmd.at("/payload/args/subscription_id")
                        .asText());
                asked.add(cmd.at("/payload/args/session_id").asText());
            }
            assertThat(asked).as("the subscribes reach the host in the order the viewer asked (stored in batches)")
                    .isEqualTo(IntStream.range(0, SESSIONS).mapToObj(i -> "s-busy-" + i).toList());
            for (int i = 0; i < SESSIONS; i++) {
                String sid = "s-busy-" + i;
                a.send(Frames.snapshot(++seq, sid, subIds.get(sid), "screen " + i));
                for (int k = 0; k < TAIL; k++) {
                    a.send(Frames.chunk(++seq, sid, subIds.get(sid), k * 8L, String.format("line%03d\n", k)));
                }
            }
            long last = seq;
            a.next(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == last);
            try (WsClient joiner = cp.ui(cp.token("join-late", Role.VIEWER))) {
                for (int i = 0; i < SESSIONS; i++) {
                    joiner.send(subscribe("j" + i, "s-busy-" + i));
                }
                List<JsonNode> got = joiner.throughPong();
                assertThat(joiner.closed).as("still connected").isNotDone();
                assertThat(got).filteredOn(n -> n.path("type").asText().equals("subscribed")).hasSize(SESSIONS);
                assertThat(got).filteredOn(n -> n.path("type").asText().equals("console.snapshot")).hasSize(SESSIONS);
                assertThat(got).filteredOn(n -> n.path("type").asText().equals("console.skipped")).isEmpty();
                String tail = IntStream.range(0, TAIL).mapToObj(k -> String.format("line%03d\n", k))
                        .collect(Collectors.joining());
                for (int i = 0; i < SESSIONS; i++) { // each subscription's own order: subscribed, screen, tail
                    String sub = "j" + i;
                    List<String> own = got.stream().filter(n -> sub.equals(n.path("sub").asText()))
                            .map(n -> n.get("type").asText()).toList();
                    assertThat(own.subList(0, 2)).containsExactly("subscribed", "console.snapshot");
                    // the tail is every byte in order, each frame at the offset where the one before it ended
                    List<JsonNode> chunks = got.stream().filter(n -> sub.equals(n.path("sub").asText())
                            && n.path("type").asText().equals("console.chunk")).toList();
                    StringBuilder bytes = new StringBuilder();
                    for (JsonNode c : chunks) {
                        assertThat(c.get("offset").asLong()).as(sub + " offset").isEqualTo(bytes.length());
                        bytes.append(new String(Base64.getDecoder().decode(c.get("data").asText()),
                                StandardCharsets.UTF_8));
                    }
                    assertThat(bytes.toString()).as(sub + " tail").isEqualTo(tail);
                }
                assertThat(got).filteredOn(n -> n.path("type").asText().equals("console.chunk"))
                        .as("a joiner's tail goes out as runs of chunks, not one frame per chunk")
                        .hasSizeLessThan(SESSIONS * TAIL);
                // live output after the catch-up still arrives
                String sid = "s-busy-7";
                a.send(Frames.chunk(++seq, sid, subIds.get(sid), TAIL * 8L, "live\n"));
                assertThat(joiner.next(n -> "j7".equals(n.path("sub").asText())).get("data").asText())
                        .isEqualTo(Frames.base64("live\n"));
            }
        }
    }

    @Test
    void aKeyframeGoesOnlyToJoinersAndAResyncReachesEveryViewerAfterASkippedMarker() {
        ObjectNode h = cp.createHost("join-key");
        try (WsClient a = cp.agent(h.get("token").asText(), "join-key", 0);
             WsClient live = cp.ui(cp.viewer())) {
            a.send(Frames.upsert(1, "s-key", "key"));
            a.nextOfType("agent.ack");
            live.send(subscribe("c", "s-key"));
            String subId = a.nextOfType("command").at("/payload/args/subscription_id").asText();
            a.send(snapshot(2, "s-key", subId, "first", 0, null));
            a.send(Frames.chunk(3, "s-key", subId, 0, "abc"));
            a.send(snapshot(4, "s-key", subId, "cut at 3", 3, "keyframe"));
            a.send(Frames.chunk(5, "s-key", subId, 3, "def"));
            // "abc" and "def" may come as one chunk (the writer joins chunks waiting behind each other)
            List<JsonNode> seen = live.until(n -> n.path("type").asText().equals("console.chunk")
                    && new String(Base64.getDecoder().decode(n.get("data").asText()), StandardCharsets.UTF_8)
                    .endsWith("def"));
            assertThat(seen).filteredOn(n -> n.path("type").asText().equals("console.snapshot")).as("live viewer")
                    .extracting(n -> n.get("data").asText()).containsExactly(Frames.base64("first"));
            try (WsClient late = cp.ui(cp.viewer())) {
                late.send(subscribe("l", "s-key"));
                List<JsonNode> got = late.throughPong();
                assertThat(got).filteredOn(n -> n.path("type").asText().startsWith("console."))
                        .extracting(n -> n.get("type").asText() + " " + n.get("data").asText() + " "
                                + n.get("offset").asLong())
                        .containsExactly("console.snapshot " + Frames.base64("cut at 3") + " 3",
                                "console.chunk " + Frames.base64("def") + " 3");
                a.send(snapshot(6, "s-key", subId, "after a pause", 6, "resync"));
                for (WsClient viewer : List.of(live, late)) {
                    JsonNode skipped = viewer.nextOfType("console.skipped");
                    assertThat(skipped.get("reason").asText()).isEqualTo("host_behind");
                    assertThat(viewer.nextOfType("console.snapshot").get("data").asText())
                            .isEqualTo(Frames.base64("after a pause"));
                }
            }
        }
    }
}
