package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.Json;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code POST /v1/approvals/decisions}: one decision for many approvals. The whole body is checked first (a bad id
 * or behavior refuses the request and decides nothing); then each id goes through the single decision, in its own
 * transaction, so each is decided exactly once however bulk and single decisions interleave, and a failure on one
 * id (404, 409) leaves the others decided. Answers 200 with a status per id, in the order given.
 */
final class BulkDecisions {
    static final int MAX_IDS = 500;

    /** The single decision ({@link ApprovalsApi#decideOne}). */
    @FunctionalInterface
    interface Decider {
        ObjectNode decide(Tokens.Principal p, String id, ApprovalBehavior behavior, String message, JsonNode input,
                          JsonNode perms);
    }

    private final Http http;
    private final Decider decider;

    BulkDecisions(Http http, Decider decider) {
        this.http = http;
        this.decider = decider;
    }

    void handle(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.OPERATOR);
        ObjectNode body = Http.body(req);
        JsonNode ids = body.get("ids");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_IDS) {
            throw ApiError.invalid("ids: must be an array of 1.." + MAX_IDS + " approval ids");
        }
        for (JsonNode id : ids) {
            if (!id.isTextual() || !Ids.isOpaque(id.asText())) {
                throw ApiError.invalid("ids: each must match " + Ids.OPAQUE.pattern());
            }
        }
        ApprovalBehavior behavior = ApprovalBehavior.fromWire(body.path("behavior").asText(""));
        if (behavior == ApprovalBehavior.UNKNOWN) {
            throw ApiError.badRequest("behavior must be allow or deny");
        }
        JsonNode msg = body.get("message");
        if (msg != null && !msg.isNull() && (!msg.isTextual() || msg.asText().length() > ApprovalsApi.MAX_MESSAGE)) {
            throw ApiError.badRequest("message must be a string of at most " + ApprovalsApi.MAX_MESSAGE
                    + " characters");
        }
        String message = msg == null || msg.isNull() ? null : msg.asText();
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode results = out.putArray("results");
        Set<String> done = new LinkedHashSet<>();
        for (JsonNode n : ids) {
            String id = n.asText();
            ObjectNode r = results.addObject().put("id", id);
            if (!done.add(id)) {
                r.put("status", 409); // the same id twice in one request: decided by its first mention
                continue;
            }
            try {
                decider.decide(p, id, behavior, message, null, null);
                r.put("status", 200);
            } catch (ApiError e) {
                if (e.status() >= 500) {
                    throw e;
                }
                r.put("status", e.status());
                r.put("error", e.getMessage());
            }
        }
        Http.json(res, 200, out);
    }
}
