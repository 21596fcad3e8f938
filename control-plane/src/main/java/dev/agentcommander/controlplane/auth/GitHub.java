package dev.agentcommander.controlplane.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The calls sign-in makes to GitHub or GitHub Enterprise Server ({@code GITHUB_BASE_URL} for the OAuth pages,
 * {@code GITHUB_API_URL} for the REST API), with the JDK's HTTP client. Every call sends a {@code User-Agent}
 * (GitHub refuses requests without one). The user's GitHub token lives only on the stack of one sign-in: it is
 * never stored, logged or put in an exception message.
 */
public final class GitHub {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_BODY = 1024 * 1024;

    /** What sign-in learnt about the user; {@code emails} are all of them, {@code verified} the verified ones. */
    public record Profile(long id, String login, String name, String avatarUrl, String primaryEmail,
                          List<Email> emails, List<String> orgs) {
        public List<String> verified() {
            return emails.stream().filter(Email::verified).map(Email::email).toList();
        }
    }

    public record Email(String email, boolean verified, boolean primary) {
    }

    /** GitHub could not be reached or answered something unusable; the message is safe to show. */
    public static final class GitHubException extends RuntimeException {
        public GitHubException(String message) {
            super(message);
        }
    }

    private final SignInPolicy policy;
    private final String userAgent;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public GitHub(SignInPolicy policy, String version) {
        this.policy = policy;
        this.userAgent = "agent-commander/" + version;
    }

    /** Where the browser goes to authorize this app (state and S256 challenge included). */
    public URI authorizeUrl(String redirectUri, String state, String codeChallenge) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("client_id", policy.clientId());
        q.put("redirect_uri", redirectUri);
        q.put("scope", policy.scope());
        q.put("state", state);
        q.put("code_challenge", codeChallenge);
        q.put("code_challenge_method", "S256");
        q.put("allow_signup", "false");
        return URI.create(join(policy.baseUrl(), "/login/oauth/authorize") + "?" + form(q));
    }

    /** Exchanges the authorization code (with the PKCE verifier) for an access token. */
    public String exchange(String code, String redirectUri, String verifier) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("client_id", policy.clientId());
        f.put("client_secret", policy.clientSecret());
        f.put("code", code);
        f.put("redirect_uri", redirectUri);
        f.put("code_verifier", verifier);
        HttpRequest req = base(URI.create(join(policy.baseUrl(), "/login/oauth/access_token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(f))).build();
        JsonNode n = send(req, "the token exchange");
        String token = n.path("access_token").asText("");
        if (token.isEmpty()) {
            String err = n.path("error").asText("no access_token");
            throw new GitHubException("GitHub refused the sign-in code (" + safe(err) + "); start again");
        }
        return token;
    }

    /** The user, their emails, and (when ALLOWED_ORGS is set) their org logins. */
    public Profile profile(String token) {
        JsonNode u = get(token, "/user");
        long id = u.path("id").asLong(-1);
        String login = u.path("login").asText("");
        if (id <= 0 || login.isEmpty()) {
            throw new GitHubException("GitHub's /user answer has no id or login");
        }
        List<Email> emails = new ArrayList<>();
        String primary = null;
        JsonNode es = get(token, "/user/emails?per_page=100");
        for (JsonNode e : es) {
            String addr = e.path("email").asText("");
            if (!addr.isEmpty()) {
                Email em = new Email(addr, e.path("verified").asBoolean(false), e.path("primary").asBoolean(false));
                emails.add(em);
                if (em.primary() && em.verified()) {
                    primary = addr;
                }
            }
        }
        List<String> orgs = new ArrayList<>();
        if (policy.checksOrgs()) {
            for (JsonNode o : get(token, "/user/orgs?per_page=100")) {
                String ol = o.path("login").asText("");
                if (!ol.isEmpty()) {
                    orgs.add(ol);
                }
            }
        }
        return new Profile(id, login, text(u, "name"), text(u, "avatar_url"), primary, List.copyOf(emails),
                List.copyOf(orgs));
    }

    private JsonNode get(String token, String path) {
        HttpRequest req = base(URI.create(join(policy.apiUrl(), path)))
                .header("Authorization", "Bearer " + token)
                .header("X-GitHub-Api-Version", "2022-11-28").GET().build();
        return send(req, "GET " + path.replaceFirst("\\?.*", ""));
    }

    private HttpRequest.Builder base(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("User-Agent", userAgent)
                .header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest req, String what) {
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (r.statusCode() != 200) {
                throw new GitHubException("GitHub answered " + r.statusCode() + " to " + what);
            }
            if (body.length > MAX_BODY) {
                throw new GitHubException("GitHub's answer to " + what + " is larger than 1 MiB");
            }
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new GitHubException("cannot reach GitHub for " + what + " at " + req.uri().getHost() + ": "
                    + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitHubException("interrupted during " + what);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String safe(String s) {
        String c = s.replaceAll("[^A-Za-z0-9_ .-]", "");
        return c.substring(0, Math.min(80, c.length()));
    }

    static String join(URI base, String path) {
        String b = base.toString();
        return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path;
    }

    static String form(Map<String, String> params) {
        return params.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
