package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.CommandRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.EventRows;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.link.CommandService;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Provider;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionStatus;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Locale;

/** Sessions, their event history, and commands (operator) addressed to a session or a host. */
final class SessionsApi {
    private final Database db;
    private final Http http;
    private final CommandService commands;

    SessionsApi(Database db, Http http, CommandService commands) {
        this.db = db;
        this.http = http;
        this.commands = commands;
    }

    void register(HttpRouting.Builder r) {
        r.get("/v1/sessions", this::list);
        r.get("/v1/sessions/{id}", this::get);
        r.get("/v1/sessions/{id}/events", this::events);
        r.post("/v1/sessions/{id}/commands", this::sessionCommand);
        r.post("/v1/hosts/{id}/commands", this::hostCommand);
        r.get("/v1/commands/{id}", this::command);
    }

    /** Parses the session filters shared by REST and UI subscriptions; 400 names a bad value. */
    static SessionRows.Filter filter(String hostId, String status, String provider, String attention, String q) {
        SessionStatus st = status == null ? null : SessionStatus.fromWire(status.toUpperCase(Locale.ROOT));
        if (status != null && st == null) {
            throw ApiError.badRequest("status: unknown value " + status);
        }
        Provider pr = provider == null ? null : Provider.fromWire(provider);
        if (provider != null && pr == null) {
            throw ApiError.badRequest("provider: unknown value " + provider);
        }
        if (attention != null && !attention.equals("true") && !attention.equals("false")) {
            throw ApiError.badRequest("needs_attention must be true or false");
        }
        return new SessionRows.Filter(hostId, st, pr, attention == null ? null : Boolean.valueOf(attention), q);
    }

    private void list(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        SessionRows.Filter f = filter(Http.query(req, "host_id"), Http.query(req, "status"),
                Http.query(req, "provider"), Http.query(req, "needs_attention"), Http.query(req, "q"));
        int limit = Http.limit(req, 500, 1000);
        List<Session> items = db.tx(c -> SessionRows.list(c, f, Http.query(req, "cursor"), limit));
        Http.json(res, 200, Http.page(items, items.size() == limit ? items.getLast().sessionId() : null));
    }

    private void get(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String id = req.path().pathParameters().get("id");
        Session s = db.tx(c -> SessionRows.find(c, id));
        if (s == null) {
            throw ApiError.notFound("session " + id);
        }
        Http.json(res, 200, s);
    }

    private void events(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String id = req.path().pathParameters().get("id");
        long after;
        try {
            after = Http.query(req, "after") == null ? 0 : Long.parseLong(Http.query(req, "after"));
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("after must be an integer");
        }
        int limit = Http.limit(req, 200, 1000);
        List<ObjectNode> items = db.tx(c -> EventRows.list(c, id, after, limit));
        Http.json(res, 200, Http.page(items, items.size() == limit
                ? items.getLast().get("id").asText() : null));
    }

    private void sessionCommand(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.OPERATOR);
        String id = req.path().pathParameters().get("id");
        ObjectNode body = Http.body(req);
        body.put("session_id", id);
        CommandSpec spec = CommandSpec.parse(null, body);
        Session s = db.tx(c -> SessionRows.find(c, id));
        if (s == null) {
            throw ApiError.notFound("session " + id);
        }
        accepted(res, commands.issue(p.subject(), p.role().wire(), s.hostId(), spec));
    }

    private void hostCommand(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.OPERATOR);
        String hostId = req.path().pathParameters().get("id");
        CommandSpec spec = CommandSpec.parse(null, Http.body(req));
        String sid = spec.toArgs().path("session_id").asText(null);
        boolean ok = db.tx(c -> {
            if (HostRows.find(c, hostId) == null) {
                return false;
            }
            if (sid == null) {
                return true;
            }
            Session s = SessionRows.find(c, sid);
            return s != null && hostId.equals(s.hostId());
        });
        if (!ok) {
            throw ApiError.notFound(sid == null ? "host " + hostId : "session " + sid + " on host " + hostId);
        }
        accepted(res, commands.issue(p.subject(), p.role().wire(), hostId, spec));
    }

    private void command(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String id = req.path().pathParameters().get("id");
        ObjectNode c = db.tx(tx -> CommandRows.find(tx, id));
        if (c == null) {
            throw ApiError.notFound("command " + id);
        }
        Http.json(res, 200, c);
    }

    private static void accepted(ServerResponse res, ObjectNode row) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.set("command_id", row.get("command_id"));
        out.set("status", row.get("status"));
        Http.json(res, 202, out);
    }
}
