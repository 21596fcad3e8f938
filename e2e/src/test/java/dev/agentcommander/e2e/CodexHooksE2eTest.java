package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.schema.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive Codex in a tmux pane: its PermissionRequest hook ({@code /hooks/codex}) becomes an approval in the
 * inbox, decided over REST and answered in Codex's format; a decision with an edited input is refused with 400.
 * Real agentd, control plane and Postgres; the pane runs a program called {@code codex}.
 */
class CodexHooksE2eTest {
    @TempDir
    static Path dir;
    static Stack stack;
    static String pane;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path codex = bin.resolve("codex");
        Files.writeString(codex, "#!/bin/bash\nwhile :; do sleep 1; done\n");
        Files.setPosixFilePermissions(codex, PosixFilePermissions.fromString("rwx------"));
        PrivateTmux tmux = stack.tmux(Map.of());
        pane = tmux.window(dir, codex.toString());
        stack.startAgentd();
        Await.value("the codex pane's session", Duration.ofSeconds(30), () -> {
            JsonNode s = FoundationLookup.session(stack, pane);
            return s != null && s.path("provider").asText().equals("codex") ? s : null;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    /** Posts a Codex PermissionRequest as {@code agentd-hook --provider codex} does; completes with the answer. */
    static CompletableFuture<HttpResponse<String>> hook(String command) {
        String body = "{\"session_id\":\"019a\",\"turn_id\":\"t1\",\"cwd\":\"" + dir + "\",\"hook_event_name\":"
                + "\"PermissionRequest\",\"model\":\"gpt-5.5\",\"permission_mode\":\"default\",\"tool_name\":\"Bash\","
                + "\"tool_input\":{\"command\":\"" + command + "\",\"description\":\"d\"}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.hooksPort
                        + "/hooks/codex?pane=" + pane.replace("%", "%25"))).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    static String pendingFor(String command) {
        return Await.value("approval for " + command, Duration.ofSeconds(20), () -> {
            for (JsonNode a : stack.rest(Role.VIEWER).get("/v1/approvals?status=pending").body().get("items")) {
                if (a.path("tool_input").path("command").asText().equals(command)) {
                    return a.has("approval_id") ? a.get("approval_id").asText() : a.get("id").asText();
                }
            }
            return null;
        });
    }

    static JsonNode decision(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.mapper().readTree(r.body().strip());
    }

    @Test
    void aCodexPermissionRequestIsApprovedAndDeniedOverRestInCodexsFormat() throws Exception {
        var allowed = hook("touch ok.txt");
        Rest.Reply r = stack.rest(Role.OPERATOR).post("/v1/approvals/" + pendingFor("touch ok.txt") + "/decision",
                Map.of("behavior", "allow"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(decision(allowed.get())).isEqualTo(Json.mapper().readTree(
                "{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\",\"decision\":{\"behavior\":\"allow\"}}}"));

        var denied = hook("rm -rf build");
        stack.rest(Role.OPERATOR).post("/v1/approvals/" + pendingFor("rm -rf build") + "/decision",
                Map.of("behavior", "deny", "message", "not today"));
        assertThat(decision(denied.get()).path("hookSpecificOutput").path("decision")).isEqualTo(
                Json.mapper().readTree("{\"behavior\":\"deny\",\"message\":\"not today\"}"));
    }

    @Test
    void anEditedInputForCodexIsRefusedWith400AndTheRequestStaysPending() throws Exception {
        var held = hook("make deploy");
        String id = pendingFor("make deploy");
        Rest.Reply r = stack.rest(Role.OPERATOR).post("/v1/approvals/" + id + "/decision",
                Map.of("behavior", "allow", "updated_input", Map.of("command", "make test")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get("error").get("message").asText()).contains("Codex");
        assertThat(pendingFor("make deploy")).isEqualTo(id);
        stack.rest(Role.OPERATOR).post("/v1/approvals/" + id + "/decision", Map.of("behavior", "deny"));
        assertThat(decision(held.get()).path("hookSpecificOutput").path("decision").path("behavior").asText())
                .isEqualTo("deny");
    }
}
