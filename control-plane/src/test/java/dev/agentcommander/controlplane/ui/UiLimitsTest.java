package dev.agentcommander.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one token can hold and do on {@code /v1/ui}: the socket ends with the token, and sockets, subscriptions,
 * messages and the console commands they cause are bounded.
 */
class UiLimitsTest {
    private static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);

    private static String events(String sub) {
        return "{\"type\":\"subscribe\",\"sub\":\"" + sub + "\",\"topic\":\"events\",\"filter\":{\"session_id\":"
                + "\"s-any\"}}";
    }

    private static long ofType(List<JsonNode> frames, String type) {
        return frames.stream().filter(n -> n.path("type").asText().equals(type)).count();
    }

    private static List<String> errorCodes(List<JsonNode> frames) {
        return frames.stream().filter(n -> n.path("type").asText().equals("error"))
                .map(n -> n.at("/error/code").asText()).distinct().toList();
    }

    /** Whether a socket for {@code token} is served: answered with a pong rather than closed. */
    private static boolean served(String token) {
        try (WsClient ui = cp.ui(token)) {
            ui.trySend("{\"type\":\"ping\"}");
            long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (ui.received.stream().anyMatch(n -> n.path("type").asText().equals("pong"))) {
                    return true;
                }
                if (ui.closed.isDone()) {
                    return false;
                }
                Thread.onSpinWait();
            }
            throw new AssertionError("neither served nor refused");
        }
    }

    @Test
    void aSocketIsClosedWhenItsTokenExpiresThoughTheClientSendsNothing() {
        String shortLived = cp.controlPlane().tokens().issue("brief", Role.VIEWER, Duration.ofSeconds(2));
        try (WsClient ui = cp.ui(shortLived)) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"s\",\"topic\":\"sessions\"}");
            ui.nextOfType("subscribed");
            WsClient.Close c = ui.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("unauthorized: token expired");
        }
    }

    @Test
    void nothingIsStreamedToASocketOnceItsTokenHasExpired() {
        TestClock replicaClock = new TestClock();
        ObjectNode h = cp.createHost("lim-expiry");
        try (TestControlPlane replica = cp.replica(replicaClock);
             WsClient a = replica.agent(h.get("token").asText(), "lim-expiry", 0);
             WsClient ui = replica.ui(replica.controlPlane().tokens().issue("later", Role.VIEWER,
                     Duration.ofMinutes(5)))) {
            ui.send("{\"type\":\"subscribe\",\"sub\":\"s\",\"topic\":\"sessions\",\"filter\":{\"host_id\":\""
                    + h.at("/host/id").asText() + "\"}}");
            ui.nextOfType("subscribed");
            a.send(Frames.upsert(1, "s-seen", "seen"));
            ui.next(n -> n.at("/session/session_id").asText().equals("s-seen"));
            replicaClock.advance(Duration.ofMinutes(10));
            a.send(Frames.upsert(2, "s-unseen", "after expiry"));
            a.next(n -> n.at("/payload/seq").asLong() == 2);
            WsClient.Close c = ui.awaitClose();
            assertThat(c.reason()).isEqualTo("unauthorized: token expired");
            assertThat(ui.received).noneMatch(n -> n.at("/session/session_id").asText().equals("s-unseen"));
        }
    }

    @Test
    void aSubjectHoldsAtMostSixteenSocketsAndGetsOneBackWhenItClosesOne() {
        String token = cp.token("many-tabs", Role.VIEWER);
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < UiQuotas.MAX_SOCKETS; i++) {
                WsClient ui = cp.ui(token);
                ui.send("{\"type\":\"ping\"}");
                ui.nextOfType("pong");
                open.add(ui);
            }
            try (WsClient extra = cp.ui(token)) {
                WsClient.Close c = extra.awaitClose();
                assertThat(c.code()).isEqualTo(1013);
                assertThat(c.reason()).startsWith("unavailable: too many sockets for this user");
            }
            assertThat(served(cp.token("someone-else", Role.VIEWER))).as("other subjects are not affected").isTrue();
            open.removeFirst().close();
            Await.until("a closed socket frees its place", () -> served(token));
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    void twentyThousandSubscriptionsOnOneSocketAreNotHeld() {
        clock.freeze(); // the rate budget refills only when the test says: the counts below are exact
        try (WsClient ui = cp.ui(cp.token("hoarder", Role.VIEWER))) {
            List<JsonNode> replies = new ArrayList<>();
            int round = (int) UiQuotas.BURST - 1;
            for (int i = 0; i < 20_000; i += round) {
                for (int j = i; j < Math.min(i + round, 20_000); j++) {
                    ui.send(events("e" + j));
                }
                replies.addAll(ui.throughPong());
                clock.advance(Duration.ofSeconds(3)); // a full budget again (120 at 40/s)
            }
            assertThat(replies).hasSize(20_000);
            assertThat(ofType(replies, "subscribed")).isEqualTo(UiQuotas.MAX_SUBSCRIPTIONS);
            assertThat(errorCodes(replies)).containsExactly("too_many");
            assertThat(ui.closed).isNotDone();
            ui.send(events("e0"));
            assertThat(ui.nextOfType("subscribed").get("sub").asText()).as("an existing sub may be replaced")
                    .isEqualTo("e0");
            ui.send("{\"type\":\"unsubscribe\",\"sub\":\"e1\"}");
            ui.send(events("fresh"));
            assertThat(ui.nextOfType("subscribed").get("sub").asText()).isEqualTo("fresh");
            ui.send(events("one-too-many"));
            JsonNode refused = ui.nextOfType("error");
            assertThat(refused.get("sub").asText()).isEqualTo("one-too-many");
            assertThat(refused.at("/error/code").asText()).isEqualTo("too_many");
        } finally {
            clock.thaw();
        }
    }

    @Test
    void messagesAreRateLimitedPerSubjectLikeRest() {
        clock.freeze();
        try (WsClient ui = cp.ui(cp.token("chatty", Role.VIEWER));
             WsClient sameUser = cp.ui(cp.token("chatty", Role.VIEWER))) {
            for (int i = 0; i < 300; i++) {
                ui.send(events("r" + (i % 8)));
            }
            List<JsonNode> replies = ui.next(300);
            assertThat(ofType(replies, "subscribed")).isEqualTo((long) UiQuotas.BURST);
            assertThat(errorCodes(replies)).containsExactly("rate_limited");
            sameUser.send("{\"type\":\"ping\"}");
            assertThat(sameUser.nextOfType("error").at("/error/code").asText()).as("the budget is the subject's")
                    .isEqualTo("rate_limited");
            assertThat(ui.closed).isNotDone();
            clock.advance(Duration.ofSeconds(1));
            ui.send(events("after"));
            assertThat(ui.nextOfType("subscribed").get("sub").asText()).isEqualTo("after");
        } finally {
            clock.thaw();
        }
    }

    @Test
    void threeHundredConsoleCyclesMakeOneCommandAndOneAuditRow() {
        ObjectNode h = cp.createHost("lim-console");
        clock.freeze();
        try (WsClient a = cp.agent(h.get("token").asText(), "lim-console", 0);
             WsClient ui = cp.ui(cp.token("flipper", Role.VIEWER))) {
            a.send(Frames.upsert(1, "s-flip", "flipped"));
            a.nextOfType("agent.ack");
            for (int i = 0; i < 300; i++) {
                ui.send("{\"type\":\"subscribe\",\"sub\":\"c\",\"topic\":\"console\",\"filter\":"
                        + "{\"session_id\":\"s-flip\"}}");
                ui.send("{\"type\":\"unsubscribe\",\"sub\":\"c\"}");
            }
            // the first 120 messages (60 cycles) are served, every later one refused: 60 + 480 replies
            List<JsonNode> replies = ui.next(60 + 480);
            assertThat(ofType(replies, "subscribed")).isEqualTo(60);
            assertThat(cp.count("SELECT count(*) FROM commands WHERE session_id = 's-flip'")).isEqualTo(1);
            assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'command.create' AND "
                    + "detail->>'session_id' = 's-flip'")).isEqualTo(1);
        } finally {
            clock.thaw();
        }
    }
}
