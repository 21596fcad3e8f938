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
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.SessionFilter;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;

/**
 * Sessions, their event history, and commands (operator) addressed to a session or a host. A command is always
 * stored and delivered when its host is connected; the reply says whether the host is connected now, and a caller
 * who would rather not wait for an offline host passes {@code ?queue=false} and gets 409 {@code host_offline}.
 */
final class SessionsApi {
    private final Database db;
    private final Http http;
    private final CommandService commands;

    SessionsApi(Database db, Http http, CommandService commands) {
        this.db = db;
        this.http = http;
        this.commands = commands;
    }

    void register(Routes r) {
        r.get("/v1/sessions", this::list);
        r.get("/v1/sessions/{id}", this::get);
        r.get("/v1/sessions/{id}/events", this::events);
        r.post("/v1/sessions/{id}/commands", this::sessionCommand);
        r.post("/v1/hosts/{id}/commands", this::hostCommand);
        r.get("/v1/commands/{id}", this::command);
    }

    private void list(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        SessionFilter f = SessionFilter.parse(name -> Http.query(req, name));
        String cursor = Http.query(req, "cursor");
        if (cursor != null && !Ids.isOpaque(cursor)) {
            throw ApiError.invalid("cursor: must be the next of a previous page");
        }
        int limit = Http.limit(req, 500, 1000);
        List<Session> items = db.tx(c -> SessionRows.list(c, f, cursor, limit));
        Http.json(res, 200, Http.page(items, items.size() == limit ? items.getLast().sessionId() : null));
    }

    private void get(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String id = Http.pathId(req, "id");
        Session s = db.tx(c -> SessionRows.find(c, id));
        if (s == null) {
            throw ApiError.notFound("session " + id);
        }
        Http.json(res, 200, s);
    }

    private void events(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String id = Http.pathId(req, "id");
        long after;
        try {
            after = Http.query(req, "after") == null ? 0 : Long.parseLong(Http.query(req, "after"));
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("after must be an integer");
        }
        int limit = Http.limit(req, 200, 1000);
        String latest = Http.query(req, "latest");
        if (latest != null && !latest.equals("true") && !latest.equals("false")) {
            throw ApiError.badRequest("latest must be true or false");
        }
        if ("true".equals(latest)) { // the newest page, for a page that shows the recent past first
            if (Http.query(req, "after") != null) {
                throw ApiError.badRequest("latest and after do not go together");
            }
            Http.json(res, 200, Http.page(db.tx(c -> EventRows.latest(c, id, limit)), null));
            return;
        }
        List<ObjectNode> items = db.tx(c -> EventRows.list(c, id, after, limit));
        Http.json(res, 200, Http.page(items, items.size() == limit
                ? items.getLast().get("id").asText() : null));
    }

    private void sessionCommand(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.OPERATOR);
        String id = Http.pathId(req, "id");
        boolean queue = queue(req);
        ObjectNode body = Http.body(req);
        body.put("session_id", id);
        CommandSpec spec = CommandSpec.parse(null, body);
        Session s = db.tx(c -> SessionRows.find(c, id));
        if (s == null) {
            throw ApiError.notFound("session " + id);
        }
        boolean connected = Boolean.TRUE.equals(s.hostConnected());
        refuseIfOffline(queue, connected, s.hostId());
        accepted(res, commands.issue(p.subject(), p.role().wire(), s.hostId(), spec), connected);
    }

    private void hostCommand(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.OPERATOR);
        String hostId = Http.pathId(req, "id");
        boolean queue = queue(req);
        CommandSpec spec = CommandSpec.parse(null, Http.body(req));
        String sid = spec.toArgs().path("session_id").asText(null);
        Boolean connected = db.tx(c -> {
            ObjectNode h = HostRows.find(c, hostId);
            if (h == null) {
                return null;
            }
            if (sid != null) {
                Session s = SessionRows.find(c, sid);
                if (s == null || !hostId.equals(s.hostId())) {
                    return null;
                }
            }
            return h.path("connected").asBoolean();
        });
        if (connected == null) {
            throw ApiError.notFound(sid == null ? "host " + hostId : "session " + sid + " on host " + hostId);
        }
        refuseIfOffline(queue, connected, hostId);
        accepted(res, commands.issue(p.subject(), p.role().wire(), hostId, spec), connected);
    }

    private void command(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        String id = Http.pathId(req, "id");
        ObjectNode c = db.tx(tx -> CommandRows.find(tx, id));
        if (c == null) {
            throw ApiError.notFound("command " + id);
        }
        Http.json(res, 200, c);
    }

    /** {@code ?queue=true|false} (default true): whether a command for an offline host is stored to wait. */
    private static boolean queue(ServerRequest req) {
        String v = Http.query(req, "queue");
        if (v == null || v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw ApiError.invalid("queue: must be true or false");
    }

    private static void refuseIfOffline(boolean queue, boolean connected, String hostId) {
        if (!queue && !connected) {
            throw new ApiError(409, "host_offline", "host " + hostId
                    + " is not connected; nothing was stored (without queue=false the command waits for it)");
        }
    }

    /** 202: stored and queued; {@code host_connected} false says it waits until the host reconnects. */
    private static void accepted(ServerResponse res, ObjectNode row, boolean connected) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.set("command_id", row.get("command_id"));
        out.set("status", row.get("status"));
        out.put("host_connected", connected);
        if (!connected) {
            out.put("message", "the host is offline; the command runs when it reconnects");
        }
        Http.json(res, 202, out);
    }
}
