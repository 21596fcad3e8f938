package dev.agentcommander.controlplane.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.ControlPlane;
import dev.agentcommander.controlplane.ServerConfig;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;

/**
 * One control plane started in this JVM on 127.0.0.1 and an ephemeral port, with what tests do to it: REST calls
 * with a token per role (subjects alice, olga and victor), hosts, agent and UI sockets, and SQL counts on its
 * database. {@link ControlPlaneExtension} is one; {@link ControlPlaneExtension#replica()} starts others.
 */
public class TestControlPlane implements AutoCloseable {
    private ControlPlane cp;
    private RestClient rest;
    private String stdout;
    private String admin;
    private String operator;
    private String viewer;

    TestControlPlane() {
    }

    TestControlPlane(ServerConfig config, Clock clock) {
        start(config, clock);
    }

    final void start(ServerConfig config, Clock clock) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cp = new ControlPlane(config, clock).start(null, new PrintStream(out, true,
                StandardCharsets.UTF_8));
        stdout = out.toString(StandardCharsets.UTF_8);
        rest = new RestClient(cp.port());
        admin = token("alice", Role.ADMIN);
        operator = token("olga", Role.OPERATOR);
        viewer = token("victor", Role.VIEWER);
    }

    private ControlPlane started() {
        if (cp == null) {
            throw new IllegalStateException("control plane not started: register the extension on a static field");
        }
        return cp;
    }

    public ControlPlane controlPlane() {
        return started();
    }

    public int port() {
        return started().port();
    }

    /** What the control plane printed while starting. */
    public String stdout() {
        return stdout;
    }

    public String admin() {
        return admin;
    }

    public String operator() {
        return operator;
    }

    public String viewer() {
        return viewer;
    }

    /** A JWT for {@code subject} with {@code role}, valid for an hour. */
    public String token(String subject, Role role) {
        return started().tokens().issue(subject, role, Duration.ofHours(1));
    }

    public RestClient rest() {
        started();
        return rest;
    }

    public String ws(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    public Reply get(String path, String token) {
        return rest().get(path, token);
    }

    public Reply post(String path, String token, String body) {
        return rest().post(path, token, body);
    }

    public Reply delete(String path, String token) {
        return rest().delete(path, token);
    }

    public Reply call(String method, String path, String token, String body) {
        return rest().call(method, path, token, body);
    }

    /** Creates a host as admin; returns {@code {host, token}}. */
    public ObjectNode createHost(String name) {
        Reply r = post("/v1/hosts", admin, "{\"name\":\"" + name + "\"}");
        if (r.status() != 201) {
            throw new IllegalStateException("create host " + name + ": " + r);
        }
        return (ObjectNode) r.body();
    }

    /** An agent socket after {@code agent.hello} and the server's welcome (which is consumed). */
    public WsClient agent(String hostToken, String hostName, long lastAcked) {
        WsClient a = WsClient.connect(ws("/v1/agent"), hostToken);
        a.send(Frames.hello(hostName, lastAcked));
        a.nextOfType("agent.welcome");
        return a;
    }

    /** The {@code last_acked_seq} a new agent socket of this host is welcomed with: where the host would resume. */
    public long resumePoint(String hostToken, String hostName) {
        try (WsClient a = WsClient.connect(ws("/v1/agent"), hostToken)) {
            a.send(Frames.hello(hostName, 0));
            return a.nextOfType("agent.welcome").at("/payload/last_acked_seq").asLong();
        }
    }

    /** A UI socket authenticated with {@code ?token=}. */
    public WsClient ui(String token) {
        return WsClient.connect(ws("/v1/ui?token=" + token), null);
    }

    /** The first column of the first row of {@code sql}, as a number. */
    public long count(String sql) {
        String v = string(sql);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** The first column of the first row of {@code sql}, or null without a row. */
    public String string(String sql) {
        try (Connection c = started().database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Stops the server (agent and UI sockets close); idempotent. */
    @Override
    public void close() {
        if (cp != null) {
            cp.close();
            cp = null;
        }
    }
}
