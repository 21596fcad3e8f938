package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.RateLimiter;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.fanout.HostNotifier;
import dev.agentcommander.controlplane.link.AgentLinks;
import dev.agentcommander.controlplane.link.CommandService;
import dev.agentcommander.schema.Json;
import io.helidon.webserver.http.HttpRouting;
import java.time.Clock;
import java.util.List;

/**
 * All HTTP routes and one error handler: every failure leaves through {@link ApiError#of} as
 * {@code {"error":{"code","message"}}} with its status, and a database outage is a 503, never a 500 with a stack
 * trace.
 */
public final class RestApi {
    private static final System.Logger LOG = System.getLogger(RestApi.class.getName());
    /** State-changing requests per caller: a burst of 120, then 40 a second. */
    private static final double BURST = 120;
    private static final double PER_SECOND = 40;

    private final Database db;
    private final Http http;
    private final HostsApi hosts;
    private final SessionsApi sessions;
    private final ApprovalsApi approvals;

    public RestApi(Database db, Tokens tokens, AgentLinks links, CommandService commands, FanOut fanOut,
                   HostNotifier notifier, Clock clock) {
        this.db = db;
        this.http = new Http(tokens, new RateLimiter(clock, BURST, PER_SECOND));
        this.hosts = new HostsApi(db, http, links, fanOut);
        this.sessions = new SessionsApi(db, http, commands);
        this.approvals = new ApprovalsApi(db, http, fanOut, notifier, clock);
    }

    public void register(HttpRouting.Builder r) {
        r.get("/health", (req, res) -> {
            boolean ok = db.healthy();
            ObjectNode o = Json.mapper().createObjectNode();
            o.put("status", ok ? "ok" : "degraded");
            o.put("db", ok ? "ok" : "down");
            Http.json(res, ok ? 200 : 503, o);
        });
        r.get("/v1/agent", (req, res) -> {
            throw new ApiError(401, "unauthorized",
                    "WebSocket endpoint: upgrade with Authorization: Bearer <host token>");
        });
        hosts.register(r);
        sessions.register(r);
        approvals.register(r);
        r.get("/v1/audit", (req, res) -> {
            http.require(req, Role.ADMIN);
            int limit = Http.limit(req, 200, 1000);
            String before = Http.query(req, "before");
            long beforeId;
            try {
                beforeId = before == null ? Long.MAX_VALUE : Long.parseLong(before);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("before must be an integer");
            }
            List<ObjectNode> items = db.tx(c -> Audit.list(c, beforeId, limit));
            Http.json(res, 200, Http.page(items, items.size() == limit ? items.getLast().get("id").asText() : null));
        });
        r.any("/v1/*", (req, res) -> {
            throw new ApiError(404, "not_found", "no such endpoint: " + req.prologue().method().text() + " "
                    + req.path().path());
        });
        r.error(Exception.class, (req, res, e) -> {
            ApiError a = ApiError.of(e);
            if (e instanceof DbException) {
                LOG.log(System.Logger.Level.WARNING, "database error: " + e.getMessage());
            } else if (a.status() == 500) {
                LOG.log(System.Logger.Level.ERROR, "unexpected error on " + req.path().path(), e);
            }
            Http.json(res, a.status(), a.json());
        });
    }
}
