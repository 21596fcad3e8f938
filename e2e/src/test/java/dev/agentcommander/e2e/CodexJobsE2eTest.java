package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.controlplane.auth.Role;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Codex jobs end to end: REST → control plane → agentd → a stand-in {@code codex} (Codex 0.169.0's event format)
 * → events and the job's session in Postgres → REST. Real agentd, control plane and Postgres.
 */
class CodexJobsE2eTest {
    @TempDir
    static Path dir;
    static Stack stack;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        try (InputStream in = CodexJobsE2eTest.class.getResourceAsStream("/standins/codex-headless")) {
            Files.copy(in, bin.resolve("codex"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(bin.resolve("codex"), PosixFilePermissions.fromString("rwx------"));
        stack.agentdConfig.put("codex_exec_path", bin.resolve("codex").toString());
        stack.agentdConfig.put("approval_timeout", "4"); // the ask job's unanswered file change expires soon
        work = Files.createDirectories(dir.resolve("work"));
        stack.startAgentd();
        Await.value("agentd connected", Duration.ofSeconds(30), () -> stack.rest(Role.VIEWER)
                .get("/v1/hosts").body().get("items").get(0).path("connected").asBoolean());
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    static Rest.Reply post(Role role, Map<String, Object> body) {
        return stack.rest(role).post("/v1/hosts/" + stack.hostId() + "/commands", body);
    }

    /** Posts a spawn_job and returns the job's session id from the command's result. */
    static String spawn(String prompt) {
        Rest.Reply r = post(Role.OPERATOR, Map.of("type", "spawn_job", "cwd", work.toString(), "prompt", prompt));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode done = command(r.body().get("command_id").asText());
        assertThat(done.get("ok").asBoolean()).as(done.toString()).isTrue();
        return done.get("result").get("session_id").asText();
    }

    static JsonNode command(String id) {
        return Await.value("command " + id + " completed", Duration.ofSeconds(20), () -> {
            JsonNode c = stack.rest(Role.VIEWER).get("/v1/commands/" + id).body();
            return c.get("status").asText().matches("completed|failed") ? c : null;
        });
    }

    static JsonNode finalSession(String sid) {
        return Await.value("job " + sid + " finished", Duration.ofSeconds(60), () -> {
            Rest.Reply r = stack.rest(Role.VIEWER).get("/v1/sessions/" + sid);
            return r.status() == 200 && r.body().get("status").asText().matches("DONE|ERROR|EXITED") ? r.body()
                    : null;
        });
    }

    static List<JsonNode> events(String sid) {
        List<JsonNode> all = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = stack.rest(Role.VIEWER).get("/v1/sessions/" + sid + "/events?limit=1000&after=" + after)
                    .body().get("items");
            page.forEach(all::add);
            if (page.size() < 1000) {
                return all;
            }
            after = page.get(page.size() - 1).get("id").asLong();
        }
    }

    static List<String> kinds(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText().equals("codex.event")
                ? e.path("payload").path("type").asText() : e.get("type").asText()).toList();
    }

    @Test
    void aJobPostedOverRestRunsAndItsEventsAndRecordArriveInOrder() {
        String sid = spawn("say hello");
        JsonNode s = finalSession(sid);
        assertThat(s.get("kind").asText()).isEqualTo("job");
        assertThat(s.get("provider").asText()).isEqualTo("codex");
        assertThat(s.get("status").asText()).isEqualTo("DONE");
        assertThat(s.get("usage").get("output_tokens").asLong()).isEqualTo(20);
        List<JsonNode> ev = Await.value("job.exited stored", Duration.ofSeconds(10), () -> {
            List<JsonNode> e = events(sid);
            return kinds(e).contains("job.exited") ? e : null;
        });
        assertThat(kinds(ev).stream().filter(k -> !k.equals("command.completed")))
                .containsExactly("job.started", "thread.started", "turn.started", "item.started", "item.completed",
                        "item.completed", "turn.completed", "job.exited");
        assertThat(s.get("thread_id").asText()).isEqualTo(ev.stream().filter(e -> e.get("payload").path("type")
                .asText().equals("thread.started")).findFirst().orElseThrow().get("payload").get("thread_id").asText());
        assertThat(stack.rest(Role.VIEWER).get("/v1/sessions?provider=codex").body().get("items"))
                .anySatisfy(i -> assertThat(i.get("session_id").asText()).isEqualTo(sid));
        assertThat(finalSession(spawn("[[fail-turn]]")).get("status").asText()).isEqualTo("ERROR");
    }

    @Test
    void badCwdsAndFullAccessAreRefusedWithAClearErrorAndNothingRuns() {
        long sessions = stack.queryLong("select count(*) from sessions where kind = 'job'");
        for (String cwd : List.of("relative/dir", work + "/../work")) {
            Rest.Reply r = post(Role.OPERATOR, Map.of("type", "spawn_job", "cwd", cwd, "prompt", "x"));
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.body().get("error").get("message").asText()).contains("cwd");
        }
        Rest.Reply missing = post(Role.OPERATOR, Map.of("type", "spawn_job", "cwd", dir.resolve("gone").toString(),
                "prompt", "x"));
        JsonNode m = command(missing.body().get("command_id").asText());
        assertThat(m.get("ok").asBoolean()).isFalse();
        assertThat(m.get("error").asText()).contains("does not exist on this host");
        Rest.Reply full = post(Role.OPERATOR, Map.of("type", "spawn_job", "cwd", work.toString(), "prompt", "x",
                "sandbox", "danger-full-access"));
        JsonNode f = command(full.body().get("command_id").asText());
        assertThat(f.get("ok").asBoolean()).isFalse();
        assertThat(f.get("error").asText()).contains("providers.codex.allow_full_access");
        assertThat(stack.queryLong("select count(*) from sessions where kind = 'job'")).isEqualTo(sessions);
    }

    @Test
    void aViewerCannotSpawnOrCancel() {
        Rest.Reply spawn = post(Role.VIEWER, Map.of("type", "spawn_job", "cwd", work.toString(), "prompt", "x"));
        assertThat(spawn.status()).isEqualTo(403);
        String sid = spawn("[[hang]]");
        Rest.Reply cancel = stack.rest(Role.VIEWER).post("/v1/sessions/" + sid + "/commands",
                Map.of("type", "cancel_job"));
        assertThat(cancel.status()).isEqualTo(403);
        Rest.Reply ok = stack.rest(Role.OPERATOR).post("/v1/sessions/" + sid + "/commands",
                Map.of("type", "cancel_job"));
        assertThat(ok.status()).isEqualTo(202);
        assertThat(finalSession(sid).get("status").asText()).isEqualTo("EXITED");
    }

    @Test
    void anAskJobsCommandApprovalIsAcceptedOverRestAndItsFileChangeApprovalExpiresAndIsDeclined() {
        Rest.Reply r = post(Role.OPERATOR, Map.of("type", "spawn_job", "cwd", work.toString(), "approvals", "ask",
                "prompt", "please [[ask-command]] [[ask-file]]"));
        JsonNode c = command(r.body().get("command_id").asText());
        assertThat(c.get("ok").asBoolean()).as(c.toString()).isTrue();
        String sid = c.get("result").get("session_id").asText();
        JsonNode approval = Await.value("the command approval", Duration.ofSeconds(20), () -> {
            for (JsonNode a : stack.rest(Role.VIEWER).get("/v1/approvals?status=pending").body().get("items")) {
                if (sid.equals(a.path("session_id").asText()) && a.path("tool_name").asText().equals("Bash")) {
                    return a;
                }
            }
            return null;
        });
        assertThat(stack.rest(Role.VIEWER).get("/v1/sessions/" + sid).body().get("status").asText())
                .isEqualTo("WAITING");
        String id = approval.has("approval_id") ? approval.get("approval_id").asText() : approval.get("id").asText();
        Rest.Reply edited = stack.rest(Role.OPERATOR).post("/v1/approvals/" + id + "/decision",
                Map.of("behavior", "allow", "updated_input", Map.of("command", "rm -rf /")));
        assertThat(edited.status()).as("Codex cannot take an edited input").isEqualTo(400);
        assertThat(stack.rest(Role.OPERATOR).post("/v1/approvals/" + id + "/decision", Map.of("behavior", "allow"))
                .status()).isEqualTo(200);
        JsonNode s = finalSession(sid);
        assertThat(s.get("status").asText()).isEqualTo("DONE");
        List<JsonNode> ev = Await.value("job.exited stored", Duration.ofSeconds(10), () -> {
            List<JsonNode> e = events(sid);
            return kinds(e).contains("job.exited") ? e : null;
        });
        assertThat(ev.stream().filter(e -> e.path("payload").path("method").asText().equals("item/completed"))
                .map(e -> e.path("payload").path("params").path("item").path("status").asText()))
                .containsExactly("completed", "declined");
        assertThat(stack.rest(Role.VIEWER).get("/v1/approvals?status=decided").body().get("items"))
                .anySatisfy(a -> {
                    assertThat(a.path("session_id").asText()).isEqualTo(sid);
                    assertThat(a.path("tool_name").asText()).isEqualTo("apply_patch");
                    assertThat(a.path("status").asText()).isEqualTo("expired");
                });
    }

    @Test
    void agentdKilledMidJobForwardsTheRestAndEveryLineIsStoredExactlyOnce() throws Exception {
        String sid = spawn("[[slow:40]]");
        Await.value("some lines stored", Duration.ofSeconds(20), () -> events(sid).size() > 8);
        stack.agentd().kill9();
        Thread.sleep(1500); // the job goes on printing while agentd is down
        stack.startAgentd();
        assertThat(finalSession(sid).get("status").asText()).isEqualTo("DONE");
        List<JsonNode> ev = Await.value("job.exited stored", Duration.ofSeconds(20), () -> {
            List<JsonNode> e = events(sid);
            return kinds(e).contains("job.exited") ? e : null;
        });
        List<JsonNode> lines = ev.stream().filter(e -> e.get("type").asText().startsWith("codex.")).toList();
        // thread.started, turn.started, 2 items, 40 slow lines, Done., turn.completed
        assertThat(lines).hasSize(46);
        Set<String> distinct = new HashSet<>();
        for (JsonNode l : lines) {
            distinct.add(l.get("payload").toString());
        }
        assertThat(distinct).hasSize(46);
        List<String> slow = lines.stream().map(l -> l.get("payload").path("item").path("text").asText())
                .filter(t -> t.startsWith("line ")).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            expected.add("line " + i);
        }
        assertThat(slow).containsExactlyElementsOf(expected);
        assertThat(kinds(ev).stream().filter(k -> k.equals("job.started") || k.equals("job.exited")))
                .containsExactly("job.started", "job.exited");
    }
}
