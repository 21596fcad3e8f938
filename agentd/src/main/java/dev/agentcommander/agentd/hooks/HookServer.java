package dev.agentcommander.agentd.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentcommander.agentd.approvals.Approval;
import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.JsonBudget;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.panes.SessionDirectory;
import dev.agentcommander.agentd.panes.StatusDetector;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The loopback endpoint {@code agentd-hook} posts Claude Code hook events to ({@code POST /hooks/claude?pane=%N}).
 * It answers 200 only once the event is durably in the outbox, so a hook that returned was never lost; a
 * PermissionRequest is held open (newline heartbeats reveal a hook that went away) until the broker answers.
 */
public final class HookServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HookServer.class.getName());
    public static final int MAX_BODY_BYTES = 1 << 20;
    private static final int DISCARD_LIMIT = 16 << 20;
    private static final Pattern PANE = Pattern.compile("%[0-9]{1,9}");
    private static final Pattern EVENT = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    private final InetSocketAddress listen;
    private final Outbound outbound;
    private final SessionDirectory directory;
    private final StatusDetector status;
    private final ApprovalBroker broker;
    private final Duration heartbeat;
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param listen    {@code hooks.listen} (port 0 = any free)
     * @param heartbeat how often a held PermissionRequest checks that its hook is still there
     */
    public HookServer(ListenAddress listen, Outbound outbound, SessionDirectory directory, StatusDetector status,
                      ApprovalBroker broker, Duration heartbeat) {
        this.listen = listen.socketAddress();
        this.outbound = outbound;
        this.directory = directory;
        this.status = status;
        this.broker = broker;
        this.heartbeat = heartbeat;
    }

    public HookServer(ListenAddress listen, Outbound outbound, SessionDirectory directory, StatusDetector status,
                      ApprovalBroker broker) {
        this(listen, outbound, directory, status, broker, Duration.ofSeconds(1));
    }

    /** Binds and starts serving; returns the bound address (the real port when 0 was asked). */
    public synchronized InetSocketAddress start() throws IOException {
        server = HttpServer.create(listen, 64);
        executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("hook-http-", 0).factory());
        server.setExecutor(executor);
        server.createContext("/hooks/claude", this::handle);
        server.start();
        return server.getAddress();
    }

    public synchronized InetSocketAddress address() {
        return server == null ? null : server.getAddress();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, "method_not_allowed", "use POST");
                return;
            }
            if (!"/hooks/claude".equals(ex.getRequestURI().getPath())) {
                reply(ex, 404, "not_found", "no such endpoint");
                return;
            }
            byte[] body = readCapped(ex.getRequestBody());
            if (body == null) {
                reply(ex, 413, "too_large", "hook JSON larger than " + MAX_BODY_BYTES + " bytes");
                return;
            }
            JsonNode json;
            try {
                json = Json.mapper().readTree(body);
            } catch (IOException e) {
                reply(ex, 400, "malformed", "hook body is not JSON");
                return;
            }
            JsonNode ev = json == null ? null : json.get("hook_event_name");
            if (json == null || !json.isObject() || ev == null || !ev.isTextual()
                    || !EVENT.matcher(ev.asText()).matches()) {
                reply(ex, 400, "malformed", "hook body must be a JSON object with hook_event_name");
                return;
            }
            String event = ev.asText();
            String pane = paneParam(ex.getRequestURI().getRawQuery());
            String sessionId = pane == null ? null
                    : directory.byPaneId(pane).map(Session::sessionId).orElse(null);
            ObjectNode data = ((ObjectNode) json).deepCopy();
            data.put("pane_id", pane);
            try {
                outbound.send(new AgentMessage.EventsAppend(sessionId, "hook." + event,
                        JsonBudget.fit(data, JsonBudget.DEFAULT_LIMIT)));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "cannot queue hook event", e);
                reply(ex, 503, "unavailable", "outbox refused the event");
                return;
            }
            tellOthers(pane, event, json);
            if (!"PermissionRequest".equals(event)) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            hold(ex, pane, sessionId, json);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "hook request ended: {0}", e.toString());
        }
    }

    private void tellOthers(String pane, String event, JsonNode json) {
        try {
            if (pane != null) {
                status.hookEvent(pane, event, json);
            }
            directory.poke();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "status detector or directory refused a hook event", e);
        }
    }

    private void hold(HttpExchange ex, String pane, String sessionId, JsonNode json) throws IOException {
        Approval a;
        try {
            a = broker.open(pane, sessionId, json);
        } catch (ApprovalBroker.TooManyWaiting e) {
            reply(ex, 503, "busy", e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot open approval", e);
            reply(ex, 503, "unavailable", "cannot queue the approval");
            return;
        }
        if (a == null) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        boolean delivered = false;
        try {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            while (true) {
                byte[] answer = a.await(heartbeat);
                if (answer != null) {
                    out.write(answer);
                    out.close();
                    delivered = true;
                    return;
                }
                out.write('\n');
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            broker.finish(a, delivered);
        }
    }

    private static byte[] readCapped(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length <= MAX_BODY_BYTES) {
            return body;
        }
        long skipped = 0;
        byte[] buf = new byte[64 * 1024];
        int n;
        while (skipped < DISCARD_LIMIT && (n = in.read(buf)) > 0) {
            skipped += n;
        }
        return null;
    }

    private static String paneParam(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String kv : rawQuery.split("&")) {
            if (kv.startsWith("pane=")) {
                String raw = kv.substring(5);
                try {
                    String v = URLDecoder.decode(raw, StandardCharsets.UTF_8);
                    if (PANE.matcher(v).matches()) {
                        return v;
                    }
                } catch (IllegalArgumentException e) {
                    // not encoded after all ("%5"): the raw value may still be a pane id
                }
                return PANE.matcher(raw).matches() ? raw : null;
            }
        }
        return null;
    }

    private static void reply(HttpExchange ex, int code, String errorCode, String message) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("code", errorCode).put("message", message);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** Answers every held hook with an empty body (never an approval), then stops listening. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        broker.releaseHooks();
        server.stop(1);
        executor.shutdown();
        server = null;
    }
}
