package dev.agentcommander.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.schema.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;

/** A control plane on an embedded Postgres in a temp dir, on an ephemeral port, plus small REST helpers. */
final class TestServer implements AutoCloseable {
    final ControlPlane cp;
    final String stdout;
    final HttpClient http = HttpClient.newHttpClient();
    final String admin;
    final String operator;
    final String viewer;

    TestServer(Path dataDir) {
        ServerConfig cfg = new ServerConfig(null, "test-secret-test-secret-test-secret-0123", "127.0.0.1", 0, null,
                dataDir, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cp = new ControlPlane(cfg, Clock.systemUTC()).start(null, new PrintStream(out, true));
        stdout = out.toString();
        admin = cp.tokens().issue("alice", Role.ADMIN, Duration.ofHours(1));
        operator = cp.tokens().issue("olga", Role.OPERATOR, Duration.ofHours(1));
        viewer = cp.tokens().issue("victor", Role.VIEWER, Duration.ofHours(1));
    }

    String base() {
        return "http://127.0.0.1:" + cp.port();
    }

    String ws(String path) {
        return "ws://127.0.0.1:" + cp.port() + path;
    }

    /** Status and parsed JSON body (null when empty). */
    record Reply(int status, JsonNode body) {
    }

    Reply call(String method, String path, String token, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body().isEmpty() ? null : Json.mapper().readTree(r.body()));
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path, e);
        }
    }

    Reply get(String path, String token) {
        return call("GET", path, token, null);
    }

    Reply post(String path, String token, String body) {
        return call("POST", path, token, body);
    }

    /** Creates a host; returns {host, token}. */
    ObjectNode createHost(String name) {
        Reply r = post("/v1/hosts", admin, "{\"name\":\"" + name + "\"}");
        if (r.status() != 201) {
            throw new IllegalStateException("create host: " + r);
        }
        return (ObjectNode) r.body();
    }

    long count(String sql) {
        try (Connection c = cp.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    String string(String sql) {
        try (Connection c = cp.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    @Override
    public void close() {
        cp.close();
    }
}
