package dev.agentcommander.controlplane.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.Await;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.WsClient;
import dev.agentcommander.schema.CloseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AgentLinkTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    @Test
    void missingTokenIsClosedWithAReasonAndWritesNothing() {
        long hostsSeen = cp.count("SELECT count(*) FROM hosts WHERE last_seen_at IS NOT NULL");
        try (WsClient a = WsClient.connect(cp.ws("/v1/agent"), null)) {
            a.trySend(Frames.hello("ghost", 0));
            WsClient.Close c = a.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("unauthorized: missing host token");
            assertThat(CloseReason.parse(c.code(), c.reason()).kind()).isEqualTo(CloseReason.Kind.UNAUTHORIZED);
        }
        assertThat(cp.count("SELECT count(*) FROM hosts WHERE last_seen_at IS NOT NULL")).isEqualTo(hostsSeen);
    }

    @Test
    void wrongTokenIsClosedWithAReasonAndWritesNothing() {
        try (WsClient a = WsClient.connect(cp.ws("/v1/agent"), "wrong-token")) {
            a.trySend(Frames.hello("ghost", 0));
            a.trySend(Frames.upsert(1, "s-ghost", "ghost"));
            WsClient.Close c = a.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("unauthorized: invalid host token");
        }
        assertThat(cp.count("SELECT count(*) FROM sessions WHERE id = 's-ghost'")).isZero();
        assertThat(cp.count("SELECT count(*) FROM hosts WHERE name = 'ghost'")).isZero();
    }

    @Test
    void plainGetOnTheAgentEndpointIsA401JsonError() {
        Reply r = cp.get("/v1/agent", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().at("/error/code").asText()).isEqualTo("unauthorized");
    }

    @Test
    void anUpsertAfterTheWelcomeIsAckedAndTheSessionIsListed() {
        ObjectNode h = cp.createHost("box-a");
        String hostId = h.at("/host/id").asText();
        try (WsClient a = WsClient.connect(cp.ws("/v1/agent"), h.get("token").asText())) {
            a.send(Frames.hello("box-a", 0));
            JsonNode welcome = a.nextOfType("agent.welcome");
            assertThat(welcome.at("/payload/last_acked_seq").asLong()).isZero();
            assertThat(welcome.at("/payload/host_id").asText()).isEqualTo(hostId);
            a.send(Frames.upsert(1, "s-a1", "build"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
        }
        Reply r = cp.get("/v1/sessions?host_id=" + hostId, cp.viewer());
        assertThat(r.body().get("items")).hasSize(1);
        JsonNode s = r.body().at("/items/0");
        assertThat(s.get("session_id").asText()).isEqualTo("s-a1");
        assertThat(s.get("host_id").asText()).isEqualTo(hostId);
        assertThat(s.get("provider").asText()).isEqualTo("claude");
        assertThat(s.at("/git/branch").asText()).isEqualTo("feature-x");
        assertThat(cp.get("/v1/sessions?q=FEATURE", cp.viewer()).body().get("items").toString())
                .contains("s-a1");
        assertThat(cp.get("/v1/sessions/s-a1", cp.viewer()).body().get("cwd").asText()).isEqualTo("/src/app");
        assertThat(cp.count("SELECT last_acked_seq FROM hosts WHERE id = '" + hostId + "'")).isEqualTo(1);
    }

    @Test
    void welcomeCarriesTheServersAckedSeqAfterReconnect() {
        ObjectNode h = cp.createHost("box-r");
        String token = h.get("token").asText();
        try (WsClient a = cp.agent(token, "box-r", 0)) {
            a.send(Frames.event(1, "s-r", "x"));
            a.send(Frames.event(2, "s-r", "x"));
            a.next(n -> n.at("/payload/seq").asLong() == 2);
        }
        assertThat(cp.resumePoint(token, "box-r")).isEqualTo(2);
    }

    @Test
    void aBatchOfConsoleFramesOnlyIsAckedAndBecomesTheResumePointWhileStoredMessagesStillLand() {
        ObjectNode h = cp.createHost("box-c");
        String token = h.get("token").asText();
        try (WsClient a = cp.agent(token, "box-c", 0)) {
            a.send(Frames.upsert(1, "s-c", "console"));
            a.next(n -> n.at("/payload/seq").asLong() == 1);
            // console output only: acked, and the resume point moves past it
            a.send(Frames.snapshot(2, "s-c", "sub-c", "screen"));
            a.send(Frames.chunk(3, "s-c", "sub-c", 6, "more"));
            a.next(n -> n.at("/payload/seq").asLong() == 3);
        }
        // acked without a commit (ConsoleAcksTest): the close writes the socket's last ack to the row
        Await.until("the row has the closed socket's last ack", () -> cp.count("SELECT last_acked_seq FROM hosts"
                + " WHERE id = '" + h.at("/host/id").asText() + "'") == 3);
        try (WsClient a = WsClient.connect(cp.ws("/v1/agent"), token)) {
            a.send(Frames.hello("box-c", 0));
            assertThat(a.nextOfType("agent.welcome").at("/payload/last_acked_seq").asLong()).isEqualTo(3);
            a.send(Frames.chunk(4, "s-c", "sub-c", 10, "x"));
            a.send(Frames.event(5, "s-c", "hook.Stop"));
            a.next(n -> n.at("/payload/seq").asLong() == 5);
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-c' AND type = 'hook.Stop'"))
                .isEqualTo(1);
    }

    @Test
    void duplicateSeqIsAckedButNotStoredTwice() {
        ObjectNode h = cp.createHost("box-d");
        try (WsClient a = cp.agent(h.get("token").asText(), "box-d", 0)) {
            a.send(Frames.event(1, "s-d", "hook.Stop"));
            a.next(n -> n.at("/payload/seq").asLong() == 1);
            a.send(Frames.event(1, "s-d", "hook.Stop"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
            a.send(Frames.event(2, "s-d", "hook.Stop"));
            a.next(n -> n.at("/payload/seq").asLong() == 2);
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-d'")).isEqualTo(2);
        JsonNode events = cp.get("/v1/sessions/s-d/events", cp.viewer()).body();
        assertThat(events.get("items")).hasSize(2);
        assertThat(events.at("/items/0/seq").asLong()).isEqualTo(1);
    }

    @Test
    void latestGivesTheNewestPageOldestFirstAndRefusesAfter() {
        ObjectNode h = cp.createHost("box-latest");
        try (WsClient a = cp.agent(h.get("token").asText(), "box-latest", 0)) {
            for (int seq = 1; seq <= 5; seq++) {
                a.send(Frames.event(seq, "s-latest", "hook.Stop"));
                long want = seq;
                a.next(n -> n.at("/payload/seq").asLong() == want);
            }
        }
        JsonNode first = cp.get("/v1/sessions/s-latest/events?limit=2", cp.viewer()).body();
        assertThat(first.at("/items/0/seq").asLong()).as("without latest: the oldest page").isEqualTo(1);
        JsonNode last = cp.get("/v1/sessions/s-latest/events?limit=2&latest=true", cp.viewer()).body();
        assertThat(last.get("items")).hasSize(2);
        assertThat(last.at("/items/0/seq").asLong()).isEqualTo(4);
        assertThat(last.at("/items/1/seq").asLong()).isEqualTo(5);
        assertThat(last.get("next").isNull()).isTrue();
        assertThat(cp.get("/v1/sessions/s-latest/events?latest=true&after=1", cp.viewer()).status()).isEqualTo(400);
        assertThat(cp.get("/v1/sessions/s-latest/events?latest=yes", cp.viewer()).status()).isEqualTo(400);
    }

    @Test
    void malformedFrameGetsAnErrorAndTheLinkSurvives() {
        ObjectNode h = cp.createHost("box-m");
        try (WsClient a = cp.agent(h.get("token").asText(), "box-m", 0)) {
            a.send("{this is not json");
            assertThat(a.nextOfType("error").at("/payload/code").asText()).isEqualTo("malformed");
            a.send(Frames.frame("sessions.upsert", 1, "{}"));
            assertThat(a.nextOfType("error").at("/payload/code").asText()).isEqualTo("invalid");
            a.send("{\"v\":1,\"type\":\"events.append\",\"seq\":1,\"payload\":{\"session_id\":\"s\",\"event_type\":\""
                    + "x".repeat(1 << 20) + "\"}}");
            assertThat(a.nextOfType("error").at("/payload/code").asText()).isEqualTo("too_large");
            a.send(Frames.upsert(1, "s-m1", "after-garbage"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
            assertThat(a.closed).isNotDone();
        }
        assertThat(cp.count("SELECT count(*) FROM sessions WHERE id = 's-m1'")).isEqualTo(1);
    }

    @Test
    void unsupportedVersionClosesWithAReasonNamingIt() {
        ObjectNode h = cp.createHost("box-v");
        try (WsClient a = WsClient.connect(cp.ws("/v1/agent"), h.get("token").asText())) {
            a.send("{\"v\":99,\"type\":\"agent.hello\",\"payload\":{\"host_name\":\"box-v\"}}");
            WsClient.Close c = a.awaitClose();
            assertThat(c.code()).isEqualTo(1002);
            assertThat(c.reason()).contains("version 99");
            assertThat(CloseReason.parse(c.code(), c.reason()).kind())
                    .isEqualTo(CloseReason.Kind.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void unknownTypesAreAckedAndDropped() {
        ObjectNode h = cp.createHost("box-u");
        try (WsClient a = cp.agent(h.get("token").asText(), "box-u", 0)) {
            a.send(Frames.frame("future.thing", 1, "{\"x\":1}"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aSessionOwnedByAnotherHostIsNeverOverwritten() {
        ObjectNode owner = cp.createHost("box-o1");
        ObjectNode thief = cp.createHost("box-o2");
        try (WsClient a = cp.agent(owner.get("token").asText(), "box-o1", 0)) {
            a.send(Frames.upsert(1, "s-owned", "mine"));
            a.nextOfType("agent.ack");
        }
        try (WsClient b = cp.agent(thief.get("token").asText(), "box-o2", 0)) {
            b.send(Frames.upsert(1, "s-owned", "stolen"));
            b.nextOfType("agent.ack");
            b.send(Frames.frame("sessions.removed", 2, "{\"session_id\":\"s-owned\"}"));
            b.nextOfType("agent.ack");
        }
        JsonNode s = cp.get("/v1/sessions/s-owned", cp.viewer()).body();
        assertThat(s.get("name").asText()).isEqualTo("mine");
        assertThat(s.get("host_id").asText()).isEqualTo(owner.at("/host/id").asText());
    }

    @Test
    void aHostCannotWriteEventsOrApprovalsIntoAnotherHostsSession() {
        ObjectNode owner = cp.createHost("box-e1");
        ObjectNode intruder = cp.createHost("box-e2");
        try (WsClient a = cp.agent(owner.get("token").asText(), "box-e1", 0)) {
            a.send(Frames.upsert(1, "s-private", "mine"));
            a.send(Frames.frame("approval.requested", 2, "{\"approval_id\":\"ap-owned\",\"session_id\":"
                    + "\"s-private\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}"));
            a.next(n -> n.at("/payload/seq").asLong() == 2);
        }
        try (WsClient b = cp.agent(intruder.get("token").asText(), "box-e2", 0)) {
            b.send(Frames.event(1, "s-private", "hook.Forged"));
            b.send(Frames.frame("approval.requested", 2, "{\"approval_id\":\"ap-forged\",\"session_id\":"
                    + "\"s-private\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"rm -rf /\"}}"));
            b.send(Frames.frame("approval.requested", 3, "{\"approval_id\":\"ap-owned\",\"tool_name\":"
                    + "\"Bash\",\"tool_input\":{\"command\":\"rm -rf /\"}}"));
            b.send(Frames.event(4, "s-own-intruder", "hook.Stop"));
            b.next(n -> n.at("/payload/seq").asLong() == 4);
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE type = 'hook.Forged'")).isZero();
        assertThat(cp.count("SELECT count(*) FROM approvals WHERE id = 'ap-forged'")).isZero();
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-private'")).isEqualTo(1);
        assertThat(cp.count("SELECT count(*) FROM events WHERE payload->>'approval_id' = 'ap-owned'"))
                .isEqualTo(1);
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-own-intruder'")).isEqualTo(1);
    }

    @Test
    void aRemovedSessionIdCannotBeClaimedByAnotherHostWithItsHistory() {
        ObjectNode owner = cp.createHost("box-tomb1");
        ObjectNode thief = cp.createHost("box-tomb2");
        try (WsClient a = cp.agent(owner.get("token").asText(), "box-tomb1", 0)) {
            a.send(Frames.upsert(1, "s-tomb", "mine"));
            a.send(Frames.event(2, "s-tomb", "hook.UserPromptSubmit"));
            a.send(Frames.frame("sessions.removed", 3, "{\"session_id\":\"s-tomb\"}"));
            a.next(n -> n.at("/payload/seq").asLong() == 3);
        }
        try (WsClient b = cp.agent(thief.get("token").asText(), "box-tomb2", 0)) {
            b.send(Frames.upsert(1, "s-tomb", "claimed"));
            b.send(Frames.event(2, "s-tomb", "hook.Forged"));
            b.send(Frames.frame("approval.requested", 3, "{\"approval_id\":\"ap-tomb\",\"session_id\":\"s-tomb\","
                    + "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"id\"}}"));
            b.next(n -> n.at("/payload/seq").asLong() == 3);
        }
        assertThat(cp.get("/v1/sessions/s-tomb", cp.viewer()).status()).isEqualTo(404);
        assertThat(cp.count("SELECT count(*) FROM events WHERE type = 'hook.Forged'")).isZero();
        assertThat(cp.count("SELECT count(*) FROM approvals WHERE id = 'ap-tomb'")).isZero();
        try (WsClient a = cp.agent(owner.get("token").asText(), "box-tomb1", 3)) {
            a.send(Frames.upsert(4, "s-tomb", "back again"));
            a.nextOfType("agent.ack");
        }
        JsonNode s = cp.get("/v1/sessions/s-tomb", cp.viewer()).body();
        assertThat(s.get("host_id").asText()).as("its owner may bring it back").isEqualTo(owner.at("/host/id").asText());
        assertThat(cp.get("/v1/sessions/s-tomb/events", cp.viewer()).body().get("items")).hasSize(1);
    }

    @Test
    void aSessionsEventsAreReadFromItsOwnHostOnly() {
        ObjectNode owner = cp.createHost("box-scope1");
        ObjectNode other = cp.createHost("box-scope2");
        try (WsClient a = cp.agent(owner.get("token").asText(), "box-scope1", 0)) {
            a.send(Frames.upsert(1, "s-scope", "mine"));
            a.send(Frames.event(2, "s-scope", "hook.Stop"));
            a.next(n -> n.at("/payload/seq").asLong() == 2);
        }
        // another host's event under the same id, as ingest stored them before it refused them
        cp.string("INSERT INTO events (host_id, seq, session_id, type, ts) VALUES ('" + other.at("/host/id").asText()
                + "', 99, 's-scope', 'hook.Planted', now()) RETURNING id");
        JsonNode items = cp.get("/v1/sessions/s-scope/events", cp.viewer()).body().get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("type").asText()).isEqualTo("hook.Stop");
    }

    @Test
    void removedSessionDisappearsButItsEventsStay() {
        ObjectNode h = cp.createHost("box-x");
        try (WsClient a = cp.agent(h.get("token").asText(), "box-x", 0)) {
            a.send(Frames.upsert(1, "s-x", "gone-soon"));
            a.send(Frames.event(2, "s-x", "hook.Stop"));
            a.send(Frames.frame("sessions.removed", 3, "{\"session_id\":\"s-x\"}"));
            a.next(n -> n.at("/payload/seq").asLong() == 3);
        }
        assertThat(cp.get("/v1/sessions/s-x", cp.viewer()).status()).isEqualTo(404);
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-x'")).isEqualTo(1);
    }

    @Test
    void aNewerConnectionClosesTheOlderOne() {
        ObjectNode h = cp.createHost("box-n");
        String token = h.get("token").asText();
        try (WsClient old = cp.agent(token, "box-n", 0); WsClient neu = cp.agent(token, "box-n", 0)) {
            WsClient.Close c = old.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).contains("superseded");
            assertThat(CloseReason.parse(c.code(), c.reason()).kind()).isEqualTo(CloseReason.Kind.SUPERSEDED);
            neu.send(Frames.upsert(1, "s-n", "new"));
            assertThat(neu.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void rotatedTokenDisconnectsAndOldTokenIsRefused() {
        ObjectNode h = cp.createHost("box-t");
        String id = h.at("/host/id").asText();
        try (WsClient a = cp.agent(h.get("token").asText(), "box-t", 0)) {
            Reply r = cp.post("/v1/hosts/" + id + "/token", cp.admin(), null);
            assertThat(r.status()).isEqualTo(200);
            WsClient.Close c = a.awaitClose();
            assertThat(c.reason()).contains("rotated");
            assertThat(CloseReason.parse(c.code(), c.reason()).kind()).isEqualTo(CloseReason.Kind.UNAUTHORIZED);
        }
        try (WsClient a = WsClient.connect(cp.ws("/v1/agent"), h.get("token").asText())) {
            assertThat(a.awaitClose().reason()).isEqualTo("unauthorized: invalid host token");
        }
    }

    @Test
    void fragmentedFramesAreAssembledAndAnOversizedFragmentedFrameIsRefusedAlone() {
        ObjectNode h = cp.createHost("box-frag");
        try (WsClient a = cp.agent(h.get("token").asText(), "box-frag", 0)) {
            a.sendFragmented(Frames.upsert(1, "s-frag", "pieces"), 40);
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(1);
            String huge = Frames.frame("events.append", 2, "{\"session_id\":\"s-frag\",\"event_type\":\""
                    + "y".repeat(3 << 20) + "\"}");
            a.sendFragmented(huge, 512 * 1024);
            assertThat(a.nextOfType("error").at("/payload/code").asText()).isEqualTo("too_large");
            a.send(Frames.event(2, "s-frag", "small"));
            assertThat(a.nextOfType("agent.ack").at("/payload/seq").asLong()).isEqualTo(2);
        }
        assertThat(cp.count("SELECT count(*) FROM events WHERE session_id = 's-frag'")).isEqualTo(1);
    }
}
