package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.HostRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.link.AgentLinks;
import dev.agentcommander.controlplane.link.HostPresence;
import dev.agentcommander.schema.Enrollment;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Hosts and their tokens (admin). A token is returned once and only its SHA-256 hash is stored. Deleting a host
 * deletes its sessions (cascade) and tells dashboards they are gone; its socket is closed.
 */
final class HostsApi {
    private static final Pattern NAME = Enrollment.HOST_NAME;

    private final Database db;
    private final Http http;
    private final AgentLinks links;
    private final HostPresence presence;
    private final FanOut fanOut;

    HostsApi(Database db, Http http, AgentLinks links, HostPresence presence, FanOut fanOut) {
        this.db = db;
        this.http = http;
        this.links = links;
        this.presence = presence;
        this.fanOut = fanOut;
    }

    void register(Routes r) {
        r.get("/v1/hosts", this::list);
        r.post("/v1/hosts", this::create);
        r.post("/v1/hosts/{id}/token", this::rotate);
        r.delete("/v1/hosts/{id}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        http.require(req, Role.VIEWER);
        Http.json(res, 200, Http.page(db.tx(HostRows::list), null));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        ObjectNode body = Http.body(req);
        String name = body.path("name").asText("");
        checkName("name", name);
        String token = Secrets.randomToken();
        ObjectNode host;
        try {
            host = db.tx(c -> {
                ObjectNode h = HostRows.insert(c, name, Secrets.sha256Hex(token));
                Audit.write(c, p.subject(), p.role().wire(), "host.create", h.get("id").asText(), body);
                return h;
            });
        } catch (DbException e) {
            if (e.uniqueViolation()) {
                throw ApiError.conflict("a host named " + name + " exists");
            }
            throw e;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.set("host", host);
        out.put("token", token);
        Http.json(res, 201, out);
    }

    /** A host name as every way of making a host (register, enroll) accepts it; 400 naming {@code field}. */
    static void checkName(String field, String name) {
        if (!NAME.matcher(name).matches()) {
            throw ApiError.badRequest(field + " must be 1-64 characters of letters, digits, '.', '_' or '-'");
        }
    }

    private void rotate(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        String id = Http.pathId(req, "id");
        String token = Secrets.randomToken();
        ObjectNode host = db.tx(c -> {
            if (!HostRows.rotateToken(c, id, Secrets.sha256Hex(token))) {
                return null;
            }
            Audit.write(c, p.subject(), p.role().wire(), "host.token.rotate", id, null);
            return HostRows.find(c, id);
        });
        if (host == null) {
            throw ApiError.notFound("host " + id);
        }
        links.disconnect(id, "unauthorized: host token rotated");
        presence.changed(id); // offline now, whichever replica held its socket
        ObjectNode out = Json.mapper().createObjectNode();
        out.set("host", host);
        out.put("token", token);
        Http.json(res, 200, out);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Tokens.Principal p = http.require(req, Role.ADMIN);
        String id = Http.pathId(req, "id");
        List<String> sessions = db.tx(c -> {
            List<String> ids = SessionRows.ofHost(c, id).stream().map(Session::sessionId).toList();
            if (!HostRows.delete(c, id)) {
                throw ApiError.notFound("host " + id);
            }
            Audit.write(c, p.subject(), p.role().wire(), "host.delete", id, null);
            return ids;
        });
        links.disconnect(id, "unauthorized: host deleted");
        sessions.forEach(s -> fanOut.publish(new FanOut.SessionRemoved(id, s)));
        res.status(204).send();
    }
}
