package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.RateLimiter;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.SignIn;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.errors.ApiError;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.fanout.HostNotifier;
import dev.agentcommander.controlplane.link.AgentLinks;
import dev.agentcommander.controlplane.link.CommandService;
import dev.agentcommander.controlplane.link.HostPresence;
import dev.agentcommander.controlplane.metrics.Metrics;
import dev.agentcommander.schema.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.StaticContentService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;

/**
 * All HTTP routes, registered through one {@link Routes} table, and one error handler: every failure leaves
 * through {@link ApiError#of} as {@code {"error":{"code","message"}}} with its status, a database outage is a 503,
 * an unknown path a 404 (never a 500 with a stack trace), and every response carries {@link SecurityHeaders}.
 */
public final class RestApi {
    private static final System.Logger LOG = System.getLogger(RestApi.class.getName());
    /** State-changing requests per caller: a burst of 120, then 40 a second. */
    private static final double BURST = 120;
    private static final double PER_SECOND = 40;
    /** The OpenAPI document, on the classpath and served at {@code GET /openapi.json}. */
    public static final String OPENAPI = "openapi.json";
    private static final String DASHBOARD = "dashboard";
    /** The dashboard's routes besides {@code /} and {@code /login} (DESIGN §7); each answers its index.html. */
    static final List<String> APP_ROUTES = List.of("/sessions/{id}", "/approvals", "/approvals/{id}", "/hosts",
            "/jobs", "/users", "/audit");

    private final Database db;
    private final Http http;
    private final HostsApi hosts;
    private final Downloads downloads;
    private final EnrollApi enroll;
    private final SessionsApi sessions;
    private final ApprovalsApi approvals;
    private final RulesApi rules;
    private final AuthApi auth;
    private final UsersApi users;
    private final byte[] openApi;
    private final MetricsApi metrics;

    public RestApi(Database db, Tokens tokens, SignIn signIn, AgentLinks links, HostPresence presence,
                   CommandService commands, FanOut fanOut, HostNotifier notifier, Clock clock) {
        this(db, tokens, signIn, links, presence, commands, fanOut, notifier, clock, Metrics.off(), null);
    }

    /**
     * With {@code metrics} on, {@code GET /metrics} serves them: to a bearer of {@code metricsToken}, or with no
     * token only to loopback callers ({@link MetricsApi}).
     */
    public RestApi(Database db, Tokens tokens, SignIn signIn, AgentLinks links, HostPresence presence,
                   CommandService commands, FanOut fanOut, HostNotifier notifier, Clock clock, Metrics metrics,
                   String metricsToken) {
        this.metrics = new MetricsApi(metrics, metricsToken);
        this.db = db;
        this.http = new Http(tokens, new RateLimiter(clock, BURST, PER_SECOND), signIn.sessions(), signIn.origin());
        this.auth = new AuthApi(db, http, signIn.github(), signIn.policy(), signIn.sessions(), signIn.links(),
                signIn.origin(), clock);
        this.users = new UsersApi(db, http, tokens, signIn.sessions(), clock);
        this.hosts = new HostsApi(db, http, links, presence, fanOut);
        this.downloads = new Downloads(signIn.origin(), AgentdDist.codeSource(), clock);
        this.enroll = new EnrollApi(db, http, downloads, clock);
        this.sessions = new SessionsApi(db, http, commands);
        this.approvals = new ApprovalsApi(db, http, fanOut, notifier, clock, metrics);
        this.rules = new RulesApi(db, http, clock);
        this.openApi = resource(OPENAPI);
    }

    /** Registers every route on {@code routing}; returns the table of what was registered. */
    public Routes register(HttpRouting.Builder routing) {
        routing.addFilter((chain, req, res) -> {
            SecurityHeaders.apply(res);
            chain.proceed();
        });
        Routes r = new Routes(routing);
        r.get("/health", (req, res) -> {
            var health = db.health();
            Http.json(res, health.ok() ? 200 : 503, health.toJson());
        });
        r.get("/openapi.json", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.send(openApi);
        });
        metrics.register(r);
        r.get("/v1/agent", (req, res) -> {
            throw new ApiError(401, "unauthorized",
                    "WebSocket endpoint: upgrade with Authorization: Bearer <host token>");
        });
        hosts.register(r);
        enroll.register(r);
        downloads.register(r);
        sessions.register(r);
        approvals.register(r);
        rules.register(r);
        auth.register(r);
        users.register(r);
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
            throw noSuchEndpoint(req);
        });
        if (RestApi.class.getClassLoader().getResource(DASHBOARD + "/index.html") != null) {
            byte[] index = resource(DASHBOARD + "/index.html");
            for (String route : APP_ROUTES) { // the dashboard's own routes: bookmarkable, answered with its page
                r.get(route, (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
                    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
                    res.send(index);
                });
            }
            r.files("/", StaticContentService.builder(DASHBOARD).welcomeFileName("index.html"));
        }
        routing.error(Exception.class, this::failed);
        return r;
    }

    /** The one error handler: Helidon's own HTTP errors (an unknown path is a 404) and ours, as JSON. */
    private void failed(ServerRequest req, ServerResponse res, Exception e) {
        if (e instanceof HttpException h && h.status().code() == 304) {
            // a dashboard file the browser already has (its If-None-Match matched): Helidon's static content says
            // so by throwing; a 304 must not carry a body (Helidon turns one into a 500, and the page's modules
            // then fail to load on the next reload)
            h.headers().forEach(res::header);
            SecurityHeaders.apply(res);
            res.status(h.status()).send();
            return;
        }
        ApiError a = e instanceof HttpException h ? fromHelidon(req, h) : ApiError.of(e);
        if (e instanceof DbException && a.status() == 503) {
            LOG.log(System.Logger.Level.WARNING, "database error: " + e.getMessage());
        } else if (a.status() >= 500) {
            LOG.log(System.Logger.Level.ERROR, "unexpected error on " + req.path().path(), e);
        }
        SecurityHeaders.apply(res);
        Http.json(res, a.status(), a.json());
    }

    private static ApiError fromHelidon(ServerRequest req, HttpException e) {
        int status = e.status().code();
        return switch (status) {
            case 404 -> noSuchEndpoint(req);
            case 413 -> new ApiError(413, "too_large", e.getMessage());
            default -> status < 500 ? new ApiError(status, "bad_request", e.getMessage()) : ApiError.of(e);
        };
    }

    private static ApiError noSuchEndpoint(ServerRequest req) {
        return new ApiError(404, "not_found", "no such endpoint: " + req.prologue().method().text() + " "
                + req.path().path());
    }

    private static byte[] resource(String name) {
        try (InputStream in = RestApi.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
    }
}
