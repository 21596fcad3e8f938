package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.rules.Rule;
import dev.agentcommander.controlplane.rules.RuleException;
import dev.agentcommander.controlplane.rules.RuleStore;
import dev.agentcommander.schema.Json;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;

/**
 * Approval rules (admin; viewers may read them, since they decide what reaches a person). A rule is checked
 * before anything is written — a bad field is a 400 naming it, with nothing changed — and every change is audited
 * in its own transaction.
 */
final class RulesApi {
    private final Database db;
    private final Http http;
    private final Clock clock;

    RulesApi(Database db, Http http, Clock clock) {
        this.db = db;
        this.http = http;
        this.clock = clock;
    }

    void register(Routes r) {
        r.get("/v1/approval-rules", this::list);
        r.post("/v1/approval-rules", this::create);
        r.patch("/v1/approval-rules/{id}", this::update);
        r.delete("/v1/approval-rules/{id}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        Http.json(res, 200, Http.page(db.tx(c -> RuleStore.list(c).stream().map(Rule::toJson).toList()), null));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        ObjectNode body = Http.body(req);
        Rule rule = checked(() -> {
            RuleStore.Spec spec = RuleStore.parse(body, null);
            return db.tx(c -> {
                Rule r = RuleStore.insert(c, spec, p.subject(), clock.instant());
                Audit.write(c, p.subject(), p.role().wire(), "approval_rule.create", r.id(), r.toJson());
                return r;
            });
        });
        Http.json(res, 201, wrap(rule));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        String id = Http.pathId(req, "id");
        ObjectNode body = Http.body(req);
        Rule rule = checked(() -> db.tx(c -> {
            Rule old = RuleStore.find(c, id);
            if (old == null) {
                throw ApiError.notFound("approval rule " + id);
            }
            Rule r = RuleStore.update(c, id, RuleStore.parse(body, old), clock.instant());
            if (r == null) {
                throw ApiError.notFound("approval rule " + id);
            }
            ObjectNode detail = Json.mapper().createObjectNode();
            detail.set("before", old.toJson());
            detail.set("after", r.toJson());
            Audit.write(c, p.subject(), p.role().wire(), "approval_rule.update", id, detail);
            return r;
        }));
        Http.json(res, 200, wrap(rule));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        String id = Http.pathId(req, "id");
        db.tx(c -> {
            Rule old = RuleStore.find(c, id);
            if (old == null || !RuleStore.delete(c, id)) {
                throw ApiError.notFound("approval rule " + id);
            }
            Audit.write(c, p.subject(), p.role().wire(), "approval_rule.delete", id, old.toJson());
            return null;
        });
        res.status(204);
        res.send();
    }

    private static ObjectNode wrap(Rule r) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.set("rule", r.toJson());
        return o;
    }

    /** Runs {@code work}; a rule that cannot be saved is a 400 whose message starts with the field's name. */
    private static Rule checked(java.util.function.Supplier<Rule> work) {
        try {
            return work.get();
        } catch (RuleException e) {
            throw ApiError.invalid(e.getMessage());
        }
    }
}
