package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.controlplane.fanout.HostNotifier;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.Json;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Approvals and their decision. Exactly once: the decision is an {@code UPDATE … WHERE status = 'pending'}, so of
 * two concurrent decisions (on any replicas) one updates the row and the other gets 409.
 */
final class ApprovalsApi {
    static final int MAX_MESSAGE = 4096;

    private final Database db;
    private final Http http;
    private final FanOut fanOut;
    private final HostNotifier notifier;
    private final Metrics metrics;
    private final Clock clock;

    ApprovalsApi(Database db, Http http, FanOut fanOut, HostNotifier notifier, Clock clock, Metrics metrics) {
        this.metrics = metrics;
        this.db = db;
        this.http = http;
        this.fanOut = fanOut;
        this.notifier = notifier;
        this.clock = clock;
    }

    void register(Routes r) {
        r.get("/v1/approvals", this::list);
        r.get("/v1/approvals/{id}", this::get);
        r.post("/v1/approvals/{id}/decision", this::decide);
        r.post("/v1/approvals/decisions", new BulkDecisions(http, this::decideOne)::handle);
    }

    private void list(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String status = Http.query(req, "status");
        if (status != null && !status.equals("pending") && !status.equals("decided")) {
            throw ApiError.badRequest("status must be pending or decided");
        }
        int limit = Http.limit(req, 200, 1000);
        Http.json(res, 200, Http.page(db.tx(c -> ApprovalRows.list(c, status, limit)), null));
    }

    private void get(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String id = Http.pathId(req, "id");
        ObjectNode a = db.tx(c -> ApprovalRows.find(c, id));
        if (a == null) {
            throw ApiError.notFound("approval " + id);
        }
        Http.json(res, 200, a);
    }

    private void decide(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.OPERATOR);
        String id = Http.pathId(req, "id");
        ObjectNode body = Http.body(req);
        ApprovalBehavior behavior = ApprovalBehavior.fromWire(body.path("behavior").asText(""));
        if (behavior == ApprovalBehavior.UNKNOWN) {
            throw ApiError.badRequest("behavior must be allow or deny");
        }
        JsonNode msg = body.get("message");
        if (msg != null && !msg.isNull() && (!msg.isTextual() || msg.asText().length() > MAX_MESSAGE)) {
            throw ApiError.badRequest("message must be a string of at most " + MAX_MESSAGE + " characters");
        }
        JsonNode input = body.get("updated_input");
        if (input != null && !input.isNull() && !input.isObject()) {
            throw ApiError.badRequest("updated_input must be a JSON object");
        }
        JsonNode perms = body.get("updated_permissions");
        if (perms != null && !perms.isNull() && !perms.isArray()) {
            throw ApiError.badRequest("updated_permissions must be an array");
        }
        String message = msg == null || msg.isNull() ? null : msg.asText();
        Http.json(res, 200, decideOne(p, id, behavior, message, input, perms));
    }

    /**
     * Decides approval {@code id} in its own transaction, audits it and tells dashboards and the host; 404 or 409
     * (as an {@link ApiError}) when it cannot be decided. A bulk decision takes each id through here, as if posted
     * alone.
     */
    ObjectNode decideOne(Tokens.Principal p, String id, ApprovalBehavior behavior, String message, JsonNode input,
                         JsonNode perms) {
        boolean edits = input != null && !input.isNull() || perms != null && !perms.isNull() && !perms.isEmpty();
        ObjectNode decided = db.tx(c -> {
            if (edits && CodexApprovals.isCodex(c, id)) {
                throw ApiError.badRequest(CodexApprovals.NO_EDITS);
            }
            ObjectNode a = ApprovalRows.decide(c, id, behavior, message, input, perms, p.subject(), clock.instant());
            if (a != null) {
                ObjectNode detail = Json.mapper().createObjectNode();
                detail.put("behavior", behavior.wire());
                detail.put("message", message);
                detail.put("edited_input", input != null && !input.isNull());
                // what was really approved: the edited input and an "always allow" grant are part of the decision
                if (input != null && !input.isNull()) {
                    detail.set("updated_input", input);
                }
                if (perms != null && !perms.isNull()) {
                    detail.set("updated_permissions", perms);
                }
                Audit.write(c, p.subject(), p.role().wire(), "approval.decide", id, detail);
                return a;
            }
            ObjectNode existing = ApprovalRows.find(c, id);
            if (existing == null) {
                throw ApiError.notFound("approval " + id);
            }
            throw ApiError.conflict(ApprovalRows.refusal(existing));
        });
        fanOut.publish(new FanOut.ApprovalChanged(decided));
        notifier.hostHasWork(decided.get("host_id").asText());
        if (decided.hasNonNull("created_at") && decided.hasNonNull("decided_at")) {
            metrics.decided(Duration.between(Instant.parse(decided.get("created_at").asText()),
                    Instant.parse(decided.get("decided_at").asText())));
        }
        return decided;
    }
}
