package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.e2e.realclients.FakeResponses.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code codex app-server} 0.169.0 over stdio: a thread with approvalPolicy "untrusted" asks for every
 * command with {@code item/commandExecution/requestApproval}; "accept" runs it, "decline" does not, and
 * {@code serverRequest/resolved} confirms each. What agentd's "jobs that ask" will speak (DESIGN §3).
 */
class CodexAppServerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The messages pinned exactly; the rest of the conversation is kept for reference only. */
    private static final Set<String> PINNED = Set.of("item/commandExecution/requestApproval", "serverRequest/resolved");
    private final Golden golden = Golden.codex();

    @TempDir
    Path dir;

    @Test
    void aCommandApprovalIsAskedOverStdioAndAnsweredAcceptThenDecline() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo")).toRealPath();
        GitRepo.init(repo);
        try (FakeResponses api = new FakeResponses()) {
            api.then(Reply.execCommand("touch accepted.txt"), Reply.text("Made it."),
                    Reply.execCommand("touch declined.txt"), Reply.text("Not made."));
            CodexHome home = new CodexHome(dir.resolve("codex-home"), api, 0);
            Scrub scrub = new Scrub().path(repo.toString(), "<repo>").path(home.dir().toString(), "<codex-home>")
                    .path(dir.toString(), "<tmp>").origin(api.origin());
            try (CodexAppServer server = new CodexAppServer(home, repo)) {
                JsonNode init = server.result(server.request("initialize", Map.of("clientInfo",
                        Map.of("name", "agent_commander_e2e", "title", "Agent Commander e2e", "version", "0.1.0"))),
                        WAIT);
                assertThat(init.path("userAgent").asText()).contains(RealClis.CODEX_VERSION);
                server.notification("initialized");
                JsonNode thread = server.result(server.request("thread/start", Map.of("cwd", repo.toString(),
                        "approvalPolicy", "untrusted", "sandbox", "workspace-write")), WAIT).path("thread");
                String threadId = thread.path("id").asText();

                List<JsonNode> pinned = new ArrayList<>();
                for (String decision : List.of("accept", "decline")) {
                    int n = decision.equals("accept") ? 1 : 2;
                    server.result(server.request("turn/start", Map.of("threadId", threadId, "input",
                            List.of(Map.of("type", "text", "text", "make a file")))), WAIT);
                    JsonNode ask = server.awaitServer("item/commandExecution/requestApproval", n, WAIT);
                    assertThat(ask.path("params").path("threadId").asText()).isEqualTo(threadId);
                    assertThat(ask.path("params").path("command").asText()).contains("touch");
                    server.respond(ask.path("id"), Map.of("decision", decision));
                    JsonNode resolved = server.awaitServer("serverRequest/resolved", n, WAIT);
                    assertThat(resolved.path("params").path("requestId")).isEqualTo(ask.path("id"));
                    JsonNode done = server.awaitServer("turn/completed", n, WAIT);
                    assertThat(done.path("params").path("turn").path("status").asText()).isEqualTo("completed");
                    JsonNode item = commandItem(server, ask.path("params").path("itemId").asText());
                    assertThat(item.path("status").asText()).isEqualTo(decision.equals("accept") ? "completed"
                            : "declined");
                    pinned.add(scrub.json(ask));
                    pinned.add(scrub.json(Json.MAPPER.valueToTree(Map.of("id", ask.path("id"), "result",
                            Map.of("decision", decision)))));
                    pinned.add(scrub.json(resolved));
                    pinned.add(scrub.json(Json.MAPPER.valueToTree(Map.of("item/completed", item))));
                }
                assertThat(repo.resolve("accepted.txt")).exists();
                assertThat(repo.resolve("declined.txt")).doesNotExist();
                golden.jsonLines("app-server-command-approval.jsonl", pinned);
                if (Golden.updating()) { // the whole conversation, for reading; not compared
                    golden.jsonLines("app-server-transcript.reference.jsonl", server.transcript().stream()
                            .map(m -> scrub.json(Json.MAPPER.valueToTree(Map.of(m.fromClient() ? "client" : "server",
                                    m.msg())))).toList());
                }
            }
        }
    }

    /** The final commandExecution item (item/completed) with {@code itemId}. */
    private static JsonNode commandItem(CodexAppServer server, String itemId) {
        return server.await(m -> !m.fromClient() && m.method().equals("item/completed")
                && m.msg().path("params").path("item").path("id").asText().equals(itemId), 1, WAIT).get(0).msg()
                .path("params").path("item");
    }
}
