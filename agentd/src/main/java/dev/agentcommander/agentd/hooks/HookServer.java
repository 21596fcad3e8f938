package dev.agentcommander.agentd.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.approvals.Approval;
import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.HookFormat;
import dev.agentcommander.agentd.approvals.JsonBudget;
import dev.agentcommander.agentd.approvals.TooManyWaiting;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.panes.SessionDirectory;
import dev.agentcommander.agentd.panes.StatusDetector;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.Ids;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The endpoint {@code agentd-hook} posts Claude Code hook events to ({@code POST /hooks/claude?pane=%N}; Codex's
 * to {@code /hooks/codex}, answered in Codex's format), on the
 * Unix socket {@code hooks.socket} and, only when configured, on loopback TCP {@code hooks.listen}. It answers 200
 * only once the event is durably in the outbox, so a hook that returned was never lost; a PermissionRequest is
 * held open (newline heartbeats reveal a hook that went away) until the broker answers.
 *
 * <p>Who may post is decided before anything is stored: never a browser (a request carrying {@code Origin} or
 * {@code Sec-Fetch-*}, or any type but {@code application/json}: a page cannot send that cross-origin without a
 * CORS preflight, which is never granted), on TCP only a {@code Host} naming the listener itself (DNS
 * rebinding), and only for a pane the scanner knows (an unknown {@code %N} is 404 and leaves no state).
 */
public final class HookServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HookServer.class.getName());
    public static final int MAX_BODY_BYTES = 1 << 20;
    private static final long DISCARD_LIMIT = 16 << 20;
    private static final Pattern EVENT = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Duration PANE_POLL = Duration.ofMillis(25);

    /**
     * @param socket         {@code hooks.socket}
     * @param listen         {@code hooks.listen}, or null for no TCP listener (port 0 = any free)
     * @param heartbeat      how often a held PermissionRequest checks that its hook is still there
     * @param paneWait       how long a hook for a pane the scanner does not know yet waits for a rescan (a pane
     *                       opened a moment ago) before it is refused
     * @param readTimeout    a request must arrive whole within this
     * @param maxConnections connections served at once (held approvals included)
     */
    public record Settings(Path socket, ListenAddress listen, Duration heartbeat, Duration paneWait,
                           Duration readTimeout, int maxConnections) {
        public static Settings of(Path socket) {
            return new Settings(socket, null, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10),
                    512);
        }

        public Settings withListen(ListenAddress tcp) {
            return new Settings(socket, tcp, heartbeat, paneWait, readTimeout, maxConnections);
        }

        public Settings withHeartbeat(Duration every) {
            return new Settings(socket, listen, every, paneWait, readTimeout, maxConnections);
        }

        public Settings withPaneWait(Duration wait) {
            return new Settings(socket, listen, heartbeat, wait, readTimeout, maxConnections);
        }

        public Settings withLimits(Duration read, int connections) {
            return new Settings(socket, listen, heartbeat, paneWait, read, connections);
        }
    }

    private final Settings settings;
    private final Outbound outbound;
    private final SessionDirectory directory;
    private final StatusDetector status;
    private final ApprovalBroker broker;
    private final List<HookListener> listeners = new ArrayList<>();
    private HookSocket socket;
    private InetSocketAddress tcpAddress;

    public HookServer(Settings settings, Outbound outbound, SessionDirectory directory, StatusDetector status,
                      ApprovalBroker broker) {
        this.settings = settings;
        this.outbound = outbound;
        this.directory = directory;
        this.status = status;
        this.broker = broker;
    }

    /**
     * Binds the socket (and the TCP port when configured) and starts serving.
     *
     * @throws IllegalStateException naming {@code hooks.socket} when its directory or an old file there is not safe
     * @throws IOException           when a bind fails
     */
    public synchronized void start() throws IOException {
        try {
            socket = HookSocket.bind(settings.socket());
            serve("hook-socket", socket.channel(), null);
            if (settings.listen() != null) {
                listenTcp(settings.listen());
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void listenTcp(ListenAddress listen) throws IOException {
        ServerSocketChannel tcp = ServerSocketChannel.open();
        try {
            tcp.bind(listen.socketAddress(), 64);
        } catch (IOException e) {
            tcp.close();
            throw new IOException("hooks.listen: cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        tcpAddress = (InetSocketAddress) tcp.getLocalAddress();
        int port = tcpAddress.getPort();
        // the names a client of this listener puts in Host; a DNS-rebinding page puts its own domain there
        Set<String> hosts = new HashSet<>(List.of(new ListenAddress(listen.host(), port).toString(),
                new ListenAddress(tcpAddress.getAddress().getHostAddress(), port).toString(), "localhost:" + port));
        serve("hook-tcp", tcp, Set.copyOf(hosts));
    }

    private void serve(String name, ServerSocketChannel channel, Set<String> hosts) {
        HookListener l = new HookListener(name, channel, hosts != null, settings.maxConnections(),
                settings.readTimeout(), (ex, read) -> handle(ex, read, hosts));
        listeners.add(l);
        l.start();
    }

    /** The Unix socket being served, or null before {@link #start()}. */
    public synchronized Path socketPath() {
        return socket == null ? null : socket.path();
    }

    /** The bound TCP address (the real port when 0 was asked), or null when {@code hooks.listen} is off. */
    public synchronized InetSocketAddress tcpAddress() {
        return tcpAddress;
    }

    /** @param hosts the {@code Host} values a TCP request may carry; null on the Unix socket */
    private void handle(HookExchange ex, Runnable requestRead, Set<String> hosts) {
        try {
            ex.readHead();
            admit(ex, hosts);
            byte[] body = ex.readBody(MAX_BODY_BYTES, DISCARD_LIMIT);
            requestRead.run();
            if (body == null) {
                throw new HookExchange.Refused(413, "too_large", "hook JSON larger than " + MAX_BODY_BYTES + " bytes");
            }
            HookFormat format = HookFormat.ofPath(ex.path()); // admit let only the hook paths through
            JsonNode json = parse(body);
            String event = json.get("hook_event_name").asText();
            String pane = paneParam(ex.rawQuery());
            Optional<Session> session = known(pane);
            if (session.isEmpty()) {
                throw new HookExchange.Refused(404, "unknown_pane", "no tmux pane agentd knows: " + pane);
            }
            accept(ex, pane, session.get().sessionId(), event, json, format);
        } catch (HookExchange.Refused r) {
            refuse(ex, r);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "hook request ended: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Browsers never; on TCP only a Host naming the listener; only POST of JSON to the hook path. */
    private static void admit(HookExchange ex, Set<String> hosts) {
        if (ex.header("origin") != null || ex.hasHeaderStartingWith("sec-fetch-")) {
            throw new HookExchange.Refused(403, "forbidden_origin", "hook requests do not come from browsers");
        }
        String host = ex.header("host");
        if (hosts != null && (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT)))) {
            throw new HookExchange.Refused(403, "forbidden_host", "Host must name this listener " + hosts);
        }
        if (!"POST".equals(ex.method())) {
            throw new HookExchange.Refused(405, "method_not_allowed", "use POST");
        }
        if (HookFormat.ofPath(ex.path()) == null) { // /hooks/claude or /hooks/codex
            throw new HookExchange.Refused(404, "not_found", "no such endpoint");
        }
        String type = ex.header("content-type");
        if (type == null || !type.split(";", 2)[0].strip().equalsIgnoreCase("application/json")) {
            throw new HookExchange.Refused(415, "unsupported_media_type", "Content-Type must be application/json");
        }
    }

    private static JsonNode parse(byte[] body) {
        JsonNode json;
        try {
            json = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new HookExchange.Refused(400, "malformed", "hook body is not JSON");
        }
        JsonNode ev = json == null ? null : json.get("hook_event_name");
        if (json == null || !json.isObject() || ev == null || !ev.isTextual() || !EVENT.matcher(ev.asText()).matches()) {
            throw new HookExchange.Refused(400, "malformed", "hook body must be a JSON object with hook_event_name");
        }
        return json;
    }

    /** The pane's session; a pane opened a moment ago gets one rescan's time ({@code paneWait}) to appear. */
    private Optional<Session> known(String pane) throws InterruptedException {
        if (pane == null) {
            return Optional.empty();
        }
        Optional<Session> s = directory.byPaneId(pane);
        if (s.isPresent() || settings.paneWait().isZero()) {
            return s;
        }
        directory.poke();
        long until = System.nanoTime() + settings.paneWait().toNanos();
        while (s.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(PANE_POLL);
            s = directory.byPaneId(pane);
        }
        return s;
    }

    private void accept(HookExchange ex, String pane, String sessionId, String event, JsonNode json,
                        HookFormat format) throws IOException {
        ObjectNode data = ((ObjectNode) json).deepCopy();
        data.put("pane_id", pane);
        if (format == HookFormat.CODEX) {
            data.put("hook_provider", "codex");
        }
        try {
            outbound.send(new AgentMessage.EventsAppend(sessionId, "hook." + event,
                    JsonBudget.fit(data, JsonBudget.DEFAULT_LIMIT)));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot queue hook event", e);
            throw new HookExchange.Refused(503, "unavailable", "outbox refused the event");
        }
        tellOthers(pane, event, json);
        if (!"PermissionRequest".equals(event)) {
            ex.reply(200, null, new byte[0]);
            return;
        }
        hold(ex, pane, sessionId, json, format);
    }

    private void tellOthers(String pane, String event, JsonNode json) {
        try {
            broker.hookEvent(pane, event, json); // may end an approval answered in the pane
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "approval broker refused a hook event", e);
        }
        try {
            status.hookEvent(pane, event, json);
            directory.poke();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "status detector or directory refused a hook event", e);
        }
    }

    private void hold(HookExchange ex, String pane, String sessionId, JsonNode json, HookFormat format)
            throws IOException {
        Approval a;
        try {
            a = broker.open(pane, sessionId, json, format);
        } catch (TooManyWaiting e) {
            throw new HookExchange.Refused(503, "busy", e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot open approval", e);
            throw new HookExchange.Refused(503, "unavailable", "cannot queue the approval");
        }
        if (a == null) {
            ex.reply(200, null, new byte[0]);
            return;
        }
        boolean delivered = false;
        try {
            ex.startChunked("application/json");
            while (true) {
                byte[] answer = a.await(settings.heartbeat());
                if (answer != null) {
                    ex.chunk(answer, true);
                    delivered = true;
                    return;
                }
                ex.chunk(new byte[] {'\n'}, false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            broker.finish(a, delivered);
        }
    }

    private static void refuse(HookExchange ex, HookExchange.Refused r) {
        if (ex.responded()) {
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("code", r.code).put("message", r.getMessage());
        try {
            ex.drain(DISCARD_LIMIT); // so the client is done sending and can read why
            ex.reply(r.status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not send {0}: {1}", r.status, e.toString());
        }
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
                    if (Ids.isPaneId(v)) {
                        return v;
                    }
                } catch (IllegalArgumentException e) {
                    // not encoded after all ("%5"): the raw value may still be a pane id
                }
                return Ids.isPaneId(raw) ? raw : null;
            }
        }
        return null;
    }

    /** Answers every held hook with an empty body (never an approval), then stops listening. */
    @Override
    public synchronized void close() {
        broker.releaseHooks();
        for (HookListener l : listeners) {
            l.close();
        }
        for (HookListener l : listeners) {
            l.awaitIdle(settings.maxConnections(), Duration.ofSeconds(1));
        }
        listeners.clear();
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove " + socket.path() + ": " + e.getMessage());
            }
            socket = null;
        }
        tcpAddress = null;
    }
}
