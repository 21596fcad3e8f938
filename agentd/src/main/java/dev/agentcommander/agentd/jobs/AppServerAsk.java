package dev.agentcommander.agentd.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.approvals.Approval;
import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.HookFormat;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.time.Duration;

/**
 * Turns an app-server approval request into an approval in the same inbox as hook approvals (through the
 * broker, answered in Codex's format, so an edited input is refused there too) and waits for it. Only an explicit
 * allow answers {@code accept}; a deny, an expiry, agentd stopping or any failure answers {@code decline}.
 */
public interface AppServerAsk {
    /** @return {@code accept} or {@code decline} */
    String ask(String sessionId, String toolName, JsonNode toolInput, String cwd);

    /** Nobody to ask: every request is declined. */
    AppServerAsk DECLINE = (s, t, i, c) -> "decline";

    static AppServerAsk through(ApprovalBroker broker) {
        return (sessionId, toolName, toolInput, cwd) -> {
            ObjectNode hook = Json.mapper().createObjectNode().put("hook_event_name", "PermissionRequest")
                    .put("tool_name", toolName).put("cwd", cwd);
            hook.set("tool_input", toolInput);
            Approval a;
            try {
                a = broker.open(null, sessionId, hook, HookFormat.CODEX);
            } catch (RuntimeException e) {
                return "decline";
            }
            if (a == null) { // keys mode: no one can answer a headless job
                return "decline";
            }
            byte[] answer = null;
            try {
                while (answer == null) {
                    answer = a.await(Duration.ofSeconds(1));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                broker.finish(a, answer != null && answer.length > 0);
            }
            if (answer == null || answer.length == 0) {
                return "decline";
            }
            try {
                JsonNode d = Json.mapper().readTree(answer).path("hookSpecificOutput").path("decision");
                return d.path("behavior").asText().equals("allow") ? "accept" : "decline";
            } catch (IOException e) {
                return "decline";
            }
        };
    }
}
