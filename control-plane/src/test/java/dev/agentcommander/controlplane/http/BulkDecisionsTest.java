package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BulkDecisionsTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    /** A host whose agent raised approvals {@code ids} (seq 1..n, acked). */
    private static WsClient agentWith(String hostName, List<String> ids) {
        ObjectNode h = cp.createHost(hostName);
        WsClient a = cp.agent(h.get("token").asText(), hostName, 0);
        long seq = 0;
        for (String id : ids) {
            a.send(Frames.frame("approval.requested", ++seq, "{\"approval_id\":\"" + id + "\",\"session_id\":\"s-"
                    + hostName + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"make " + id + "\"}}"));
        }
        long last = seq;
        a.next(n -> n.path("type").asText().equals("agent.ack") && n.at("/payload/seq").asLong() == last);
        return a;
    }

    private static Reply bulk(String token, String body) {
        return cp.post("/v1/approvals/decisions", token, body);
    }

    @Test
    void bulkOfThreeWhereOneIsAlreadyDecidedAnswers200And200And409() {
        try (WsClient a = agentWith("bulk-1", List.of("b1", "b2", "b3"))) {
            assertThat(cp.post("/v1/approvals/b2/decision", cp.operator(), "{\"behavior\":\"deny\"}").status())
                    .isEqualTo(200);
            Reply r = bulk(cp.operator(), "{\"ids\":[\"b1\",\"b3\",\"b2\"],\"behavior\":\"allow\",\"message\":\"ok\"}");
            assertThat(r.status()).isEqualTo(200);
            JsonNode results = r.body().get("results");
            assertThat(results).hasSize(3);
            assertThat(results.get(0).get("id").asText()).isEqualTo("b1");
            assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
            assertThat(results.get(1).get("status").asInt()).isEqualTo(200);
            assertThat(results.get(2).get("id").asText()).isEqualTo("b2");
            assertThat(results.get(2).get("status").asInt()).isEqualTo(409);
            Set<String> delivered = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                JsonNode d = a.nextOfType("approval.decision");
                delivered.add(d.at("/payload/approval_id").asText() + "=" + d.at("/payload/behavior").asText());
            }
            assertThat(delivered).containsExactlyInAnyOrder("b1=allow", "b2=deny", "b3=allow");
        }
        assertThat(cp.get("/v1/approvals/b2", cp.viewer()).body().get("status").asText()).isEqualTo("denied");
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decide' "
                + "AND target IN ('b1', 'b2', 'b3')")).isEqualTo(3);
    }

    @Test
    void unknownAndRepeatedIdsGet404And409AndTheOthersAreDecided() {
        try (WsClient a = agentWith("bulk-2", List.of("c1"))) {
            Reply r = bulk(cp.operator(), "{\"ids\":[\"c-nope\",\"c1\",\"c1\"],\"behavior\":\"deny\"}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().at("/results/0/status").asInt()).isEqualTo(404);
            assertThat(r.body().at("/results/1/status").asInt()).isEqualTo(200);
            assertThat(r.body().at("/results/2/status").asInt()).isEqualTo(409);
            a.nextOfType("approval.decision");
        }
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decide' AND target = 'c1'"))
                .isEqualTo(1);
    }

    @Test
    void aBadBulkBodyIsRefusedWholeAndDecidesNothing() {
        try (WsClient a = agentWith("bulk-3", List.of("d1"))) {
            String[] bad = {
                    "{\"ids\":[],\"behavior\":\"allow\"}",
                    "{\"ids\":\"d1\",\"behavior\":\"allow\"}",
                    "{\"ids\":[\"d1\",\"../etc\"],\"behavior\":\"allow\"}",
                    "{\"ids\":[\"d1\",7],\"behavior\":\"allow\"}",
                    "{\"ids\":[\"d1\"],\"behavior\":\"maybe\"}",
                    "{\"ids\":[\"d1\"]}",
                    "{\"ids\":[\"d1\"],\"behavior\":\"allow\",\"message\":5}",
                    "{\"ids\":" + "[\"d1\"".concat(",\"d1\"".repeat(BulkDecisions.MAX_IDS)) + "],\"behavior\":\"allow\"}",
            };
            for (String b : bad) {
                assertThat(bulk(cp.operator(), b).status()).as(b).isEqualTo(400);
            }
            assertThat(bulk(cp.viewer(), "{\"ids\":[\"d1\"],\"behavior\":\"allow\"}").status()).isEqualTo(403);
            assertThat(bulk(null, "{\"ids\":[\"d1\"],\"behavior\":\"allow\"}").status()).isEqualTo(401);
            assertThat(cp.get("/v1/approvals/d1", cp.viewer()).body().get("status").asText()).isEqualTo("pending");
        }
    }

    @Test
    void concurrentBulkAndSingleDecisionsDecideEachIdExactlyOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add("e" + i);
        }
        try (WsClient a = agentWith("bulk-4", ids)) {
            String all = "{\"ids\":[\"" + String.join("\",\"", ids) + "\"],\"behavior\":\"allow\"}";
            String reversed = "{\"ids\":[\"" + String.join("\",\"", ids.reversed()) + "\"],\"behavior\":\"deny\"}";
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply>> bulks = new ArrayList<>();
            List<Future<Map.Entry<String, Integer>>> singles = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (int i = 0; i < 3; i++) {
                    String body = i % 2 == 0 ? all : reversed;
                    bulks.add(pool.submit(() -> {
                        go.await();
                        return bulk(cp.operator(), body);
                    }));
                }
                for (String id : ids) {
                    singles.add(pool.submit(() -> {
                        go.await();
                        return Map.entry(id, cp.post("/v1/approvals/" + id + "/decision", cp.operator(),
                                "{\"behavior\":\"deny\"}").status());
                    }));
                }
                go.countDown();
                Map<String, Integer> wins = new HashMap<>();
                for (Future<Reply> f : bulks) {
                    Reply r = f.get();
                    assertThat(r.status()).isEqualTo(200);
                    for (JsonNode res : r.body().get("results")) {
                        assertThat(res.get("status").asInt()).isIn(200, 409);
                        if (res.get("status").asInt() == 200) {
                            wins.merge(res.get("id").asText(), 1, Integer::sum);
                        }
                    }
                }
                for (Future<Map.Entry<String, Integer>> f : singles) {
                    Map.Entry<String, Integer> e = f.get();
                    assertThat(e.getValue()).isIn(200, 409);
                    if (e.getValue() == 200) {
                        wins.merge(e.getKey(), 1, Integer::sum);
                    }
                }
                assertThat(wins.keySet()).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(wins.values()).allMatch(n -> n == 1);
            }
            for (int i = 0; i < ids.size(); i++) {
                a.nextOfType("approval.decision");
            }
        }
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'approval.decide' AND target LIKE 'e%'"))
                .isEqualTo(12);
        assertThat(cp.count("SELECT count(*) FROM (SELECT target FROM audit_log WHERE action = 'approval.decide' "
                + "AND target LIKE 'e%' GROUP BY target HAVING count(*) > 1) t")).isZero();
    }
}
