package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.auth.Role;

/** Finds a session in the REST API by its tmux pane. */
final class FoundationLookup {
    private FoundationLookup() {
    }

    static JsonNode session(Stack stack, String paneId) {
        Rest.Reply r = stack.rest(Role.VIEWER).get("/v1/sessions");
        for (JsonNode s : r.body().path("items")) {
            if (paneId.equals(s.path("tmux").path("pane_id").asText())) {
                return s;
            }
        }
        return null;
    }

    static String sessionId(Stack stack, String paneId) {
        JsonNode s = session(stack, paneId);
        return s == null ? null : s.get("session_id").asText();
    }
}
