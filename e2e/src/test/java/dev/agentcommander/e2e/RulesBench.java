package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.rules.Rule;
import dev.agentcommander.controlplane.rules.RuleEngine;
import dev.agentcommander.controlplane.rules.RuleStore;
import dev.agentcommander.schema.Json;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Issue 18 figures, each as min / median / max over {@code runs} runs: (1) rule evaluation per request with
 * {@code rules} rules (in process, the request matching none: every rule is tried); (2) approval stored (acked)
 * → webhook received, p50/p99, with NOTIFY_DELAY_SECONDS=0; (3) approval ingest over the agent link with no rules
 * and with {@code rules} rules, same control plane, same run (notifications off).
 * Args: [rules=1000] [runs=5] [approvals per ingest run=2000] [webhook samples per run=40].
 */
public final class RulesBench {
    public static void main(String[] args) throws Exception {
        int nRules = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int approvals = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        List<Map<String, Object>> specs = specs(nRules);
        evaluation(specs, runs);
        Path dir = Files.createTempDirectory("rules-bench");
        ConcurrentHashMap<String, Long> arrived = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            long now = System.nanoTime();
            JsonNode b = Json.mapper().readTree(ex.getRequestBody().readAllBytes());
            if ("approval.pending".equals(b.path("kind").asText())) {
                arrived.putIfAbsent(b.at("/approval/id").asText(), now);
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.controlPlaneEnv.put("NOTIFY_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort()
                    + "/hook");
            stack.controlPlaneEnv.put("NOTIFY_DELAY_SECONDS", "0");
            stack.startControlPlane();
            webhookLatency(stack, arrived, runs, samples);
            stack.controlPlane().close(); // the same database, without notifications, for ingest alone
            stack.controlPlaneEnv.clear();
            stack.startControlPlane();
            ingest(stack, specs, runs, approvals);
            System.out.println("[" + Stats.machine() + "]");
        } finally {
            receiver.stop(0);
        }
    }

    /** A mix like a real rule set: tool rules, anchored and unanchored Bash patterns, wildcards, MCP tools. */
    static List<Map<String, Object>> specs(int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        String[] actions = {"ask", "allow", "ask", "deny"};
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = new HashMap<>();
            switch (i % 4) {
                case 0 -> {
                    m.put("tool", "Bash");
                    m.put("pattern", "^tool-" + i + "( |$)");
                }
                case 1 -> {
                    m.put("tool", "Bash");
                    m.put("pattern", "\\b(deploy|release)-" + i + "\\b.*--prod");
                }
                case 2 -> {
                    m.put("tool", "*");
                    m.put("pattern", "secret-" + i + "|token-" + i);
                }
                default -> m.put("tool", "mcp__server" + i + "__call");
            }
            m.put("action", actions[i % 4]);
            out.add(m);
        }
        return out;
    }

    private static void evaluation(List<Map<String, Object>> specs, int runs) throws Exception {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            RuleStore.Spec s = RuleStore.parse(Json.mapper().valueToTree(specs.get(i)), null);
            rules.add(new Rule("rule_" + i, s.tool(), s.pattern(), s.hostId(), s.action(), s.risk(), s.message(),
                    "bench", Instant.EPOCH, Instant.EPOCH, s.compiled()));
        }
        List<Rule> ordered = RuleEngine.ordered(rules);
        JsonNode input = Json.mapper().readTree("{\"command\":\"npm test -- --watch=false && git status --short\"}");
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < warmUntil) {
            RuleEngine.first(ordered, "h_1", "Bash", input);
        }
        List<Double> us = new ArrayList<>();
        long requests = 0;
        for (int r = 0; r < runs; r++) { // each run: as many requests as fit in one second
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.SECONDS.toNanos(1);
            int k = 0;
            while (System.nanoTime() < end) {
                if (RuleEngine.first(ordered, "h_1", "Bash", input).rule() != null) {
                    throw new IllegalStateException("the bench request must match no rule");
                }
                k++;
            }
            requests += k;
            us.add((System.nanoTime() - t0) / 1e3 / k);
        }
        System.out.println(String.format(Locale.ROOT, "rule evaluation, %d rules, a Bash request matching none "
                + "(every rule tried): %s µs/request over %d runs of 1 s (%d requests)", specs.size(), mmm(us), runs,
                requests));
    }

    private static void webhookLatency(Stack stack, Map<String, Long> arrived, int runs, int samples)
            throws Exception {
        String token = stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", "bench-notify")).body()
                .get("token").asText();
        Stats all = new Stats();
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        try (SimAgent a = new SimAgent(stack.baseUrl(), token)) {
            long seq = 0;
            for (int r = 0; r <= runs; r++) { // run 0 warms up
                Stats run = new Stats();
                for (int i = 0; i < samples; i++) {
                    String id = "ap_bench_" + r + "_" + i;
                    long s = ++seq;
                    a.sendAndAwaitAck(s, approval(s, id, "echo " + id));
                    long stored = System.nanoTime();
                    long end = stored + TimeUnit.SECONDS.toNanos(20);
                    while (!arrived.containsKey(id) && System.nanoTime() < end) {
                        Thread.sleep(1);
                    }
                    Long at = arrived.get(id);
                    if (at == null) {
                        throw new IllegalStateException("no webhook for " + id);
                    }
                    if (r > 0) {
                        run.add((at - stored) / 1e6);
                        all.add((at - stored) / 1e6);
                    }
                }
                if (r > 0) {
                    p50s.add(run.percentile(50));
                    p99s.add(run.percentile(99));
                }
            }
        }
        System.out.println("approval stored (acked) -> webhook received, NOTIFY_DELAY_SECONDS=0: " + all.summary(" ms"));
        System.out.println("  per-run p50 " + mmm(p50s) + " ms, per-run p99 " + mmm(p99s) + " ms (" + runs + " runs of "
                + samples + ")");
    }

    private static void ingest(Stack stack, List<Map<String, Object>> specs, int runs, int approvals)
            throws Exception {
        Rest admin = stack.rest(Role.ADMIN);
        List<Double> none = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        for (int r = 0; r <= runs; r++) { // run 0 warms up
            none.add(approvalsPerSecond(stack, "bench-none-" + r, approvals));
        }
        for (Map<String, Object> s : specs) {
            Rest.Reply rep = admin.post("/v1/approval-rules", s);
            while (rep.status() == 429) { // the admin's rate budget (40/s after a burst of 120)
                Thread.sleep(50);
                rep = admin.post("/v1/approval-rules", s);
            }
            if (rep.status() != 201) {
                throw new IllegalStateException("rule: " + rep);
            }
        }
        for (int r = 0; r <= runs; r++) {
            with.add(approvalsPerSecond(stack, "bench-rules-" + r, approvals));
        }
        none.removeFirst();
        with.removeFirst();
        System.out.println(String.format(Locale.ROOT, "approval ingest over the agent link (window 500, acked after "
                + "commit), %d approvals per run: no rules %s /s; %d rules %s /s (median %.0f %%)", approvals,
                mmm(none), specs.size(), mmm(with), 100 * median(with) / median(none)));
    }

    private static double approvalsPerSecond(Stack stack, String host, int n) throws Exception {
        String token = stack.rest(Role.ADMIN).post("/v1/hosts", Map.of("name", host)).body().get("token").asText();
        try (SimAgent a = new SimAgent(stack.baseUrl(), token)) {
            long t0 = System.nanoTime();
            a.run(n, 500, seq -> approval(seq, host + "-" + seq, "npm test -- --watch=false && git status --short"));
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static String approval(long seq, String id, String command) {
        return "{\"v\":1,\"type\":\"approval.requested\",\"seq\":" + seq + ",\"ts\":\"" + Instant.now() + "\","
                + "\"payload\":{\"approval_id\":\"" + id + "\",\"session_id\":\"s_bench\",\"tool_name\":\"Bash\","
                + "\"tool_input\":" + Json.mapper().createObjectNode().put("command", command) + "}}";
    }

    private static String mmm(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return String.format(Locale.ROOT, "min %.2f / median %.2f / max %.2f", s.getFirst(), median(s),
                s.getLast());
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
