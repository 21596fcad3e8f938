package dev.agentcommander.controlplane.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.SignInPolicy;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * GitHub's OAuth pages and the REST calls sign-in makes (authorize, access_token, user, emails, orgs), served on
 * 127.0.0.1:0 in one of two shapes: github.com (pages and API on two hosts, the API at the root, as
 * {@code github.com} and {@code api.github.com}) or GitHub Enterprise Server (one host, the API under
 * {@code /api/v3}). It checks what GitHub checks — client id and secret, redirect_uri, the PKCE verifier against
 * the challenge, one use per code, a Bearer token and a User-Agent on every API call — and records every request.
 * {@link #signInAs} picks who the next authorization signs in.
 */
public final class FakeGitHub implements AfterAllCallback, AutoCloseable {
    public static final String CLIENT_ID = "Iv1.fakeclient";
    public static final String CLIENT_SECRET = "fake-client-secret";

    /** A GitHub account: its emails (address, verified, primary) and org logins. */
    public record Account(long id, String login, String name, List<Email> emails, List<String> orgs) {
    }

    public record Email(String email, boolean verified, boolean primary) {
    }

    /** One request the fake received: which server, method, path with query, headers (lower-case names), body. */
    public record Request(String method, String path, Map<String, String> headers, String body) {
    }

    private record Grant(Account account, String redirectUri, String challenge) {
    }

    public final List<Request> requests = new CopyOnWriteArrayList<>();
    private final boolean enterprise;
    private final HttpServer web;
    private final HttpServer api;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Account> tokens = new ConcurrentHashMap<>();
    private volatile Account next;

    private FakeGitHub(boolean enterprise) throws IOException {
        this.enterprise = enterprise;
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api = enterprise ? web : HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/login/oauth/authorize", this::authorize);
        web.createContext("/login/oauth/access_token", this::accessToken);
        String prefix = enterprise ? "/api/v3" : "";
        api.createContext(prefix + "/user", this::api);
        web.start();
        if (api != web) {
            api.start();
        }
    }

    /** The github.com shape: pages on one host, API on another at its root. */
    public static FakeGitHub githubCom() {
        try {
            return new FakeGitHub(false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The GitHub Enterprise Server shape: {@code https://HOST} and {@code https://HOST/api/v3}. */
    public static FakeGitHub enterprise() {
        try {
            return new FakeGitHub(true);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + web.getAddress().getPort());
    }

    public URI apiUrl() {
        return URI.create("http://127.0.0.1:" + api.getAddress().getPort() + (enterprise ? "/api/v3" : ""));
    }

    /** A sign-in policy against this fake. */
    public SignInPolicy policy(Set<String> adminEmails, Set<String> allowedEmails, Set<String> orgs, Role dflt) {
        return new SignInPolicy(CLIENT_ID, CLIENT_SECRET, baseUrl(), apiUrl(), adminEmails, allowedEmails, orgs, dflt);
    }

    /** The next authorization signs in {@code account}. */
    public void signInAs(Account account) {
        next = account;
    }

    public static Account account(long id, String login, String email, boolean verified, String... orgs) {
        return new Account(id, login, login + " name", List.of(new Email(email, verified, true)), List.of(orgs));
    }

    /** The requests whose path starts with {@code prefix}. */
    public List<Request> requestsTo(String prefix) {
        return requests.stream().filter(r -> r.path().startsWith(prefix)).toList();
    }

    private void authorize(HttpExchange x) throws IOException {
        Map<String, String> q = query(x.getRequestURI().getRawQuery());
        record(x, "");
        Account a = next;
        if (!CLIENT_ID.equals(q.get("client_id")) || a == null || !"S256".equals(q.get("code_challenge_method"))
                || q.get("code_challenge") == null || q.get("state") == null || q.get("redirect_uri") == null) {
            send(x, 400, "text/plain", "bad authorize request " + q);
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new Grant(a, q.get("redirect_uri"), q.get("code_challenge")));
        x.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state="
                + java.net.URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    private void accessToken(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        record(x, body);
        Map<String, String> f = query(body);
        Grant g = f.get("code") == null ? null : codes.remove(f.get("code"));
        ObjectNode out = Json.mapper().createObjectNode();
        if (!"POST".equals(x.getRequestMethod()) || g == null || !CLIENT_ID.equals(f.get("client_id"))
                || !CLIENT_SECRET.equals(f.get("client_secret")) || !g.redirectUri().equals(f.get("redirect_uri"))
                || f.get("code_verifier") == null || !g.challenge().equals(s256(f.get("code_verifier")))
                || !"application/json".equals(x.getRequestHeaders().getFirst("Accept"))) {
            out.put("error", "bad_verification_code");
        } else {
            String token = "gho_" + UUID.randomUUID().toString().replace("-", "");
            tokens.put(token, g.account());
            out.put("access_token", token).put("token_type", "bearer").put("scope", "read:user,user:email");
        }
        send(x, 200, "application/json", out.toString());
    }

    private void api(HttpExchange x) throws IOException {
        record(x, "");
        String auth = x.getRequestHeaders().getFirst("Authorization");
        String ua = x.getRequestHeaders().getFirst("User-Agent");
        Account a = auth == null || !auth.startsWith("Bearer ") ? null : tokens.get(auth.substring(7));
        if (ua == null || ua.isBlank()) {
            send(x, 403, "application/json", "{\"message\":\"Request forbidden by administrative rules. Please "
                    + "make sure your request has a User-Agent header\"}");
            return;
        }
        if (a == null) {
            send(x, 401, "application/json", "{\"message\":\"Bad credentials\"}");
            return;
        }
        String path = x.getRequestURI().getPath().substring(enterprise ? "/api/v3".length() : 0);
        switch (path) {
            case "/user" -> {
                ObjectNode u = Json.mapper().createObjectNode().put("id", a.id()).put("login", a.login())
                        .put("name", a.name()).put("avatar_url", "https://avatars.example/u/" + a.id());
                u.putNull("email");
                send(x, 200, "application/json", u.toString());
            }
            case "/user/emails" -> {
                ArrayNode es = Json.mapper().createArrayNode();
                a.emails().forEach(e -> es.addObject().put("email", e.email()).put("verified", e.verified())
                        .put("primary", e.primary()).put("visibility", "private"));
                send(x, 200, "application/json", es.toString());
            }
            case "/user/orgs" -> {
                ArrayNode os = Json.mapper().createArrayNode();
                a.orgs().forEach(o -> os.addObject().put("login", o).put("id", o.hashCode()));
                send(x, 200, "application/json", os.toString());
            }
            default -> send(x, 404, "application/json", "{\"message\":\"Not Found\"}");
        }
    }

    private void record(HttpExchange x, String body) {
        Map<String, String> h = new HashMap<>();
        x.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        String path = x.getRequestURI().getRawPath() + (x.getRequestURI().getRawQuery() == null ? ""
                : "?" + x.getRequestURI().getRawQuery());
        requests.add(new Request(x.getRequestMethod(), path, h, body));
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    public static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        web.stop(0);
        if (api != web) {
            api.stop(0);
        }
    }
}
