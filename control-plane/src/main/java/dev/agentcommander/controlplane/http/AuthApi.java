package dev.agentcommander.controlplane.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.auth.BrowserSessions;
import dev.agentcommander.controlplane.auth.GitHub;
import dev.agentcommander.controlplane.auth.LoginLinks;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.auth.SignInPolicy;
import dev.agentcommander.controlplane.auth.WebOrigin;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.UserRows;
import dev.agentcommander.controlplane.db.UserSessionRows;
import dev.agentcommander.schema.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Signing in and out in a browser: the GitHub OAuth flow (state bound to the browser by the {@code ac_oauth}
 * cookie, PKCE S256), the one-time local link, sign-out, and the plain {@code /login} page. A sign-in that
 * succeeds sets the {@code ac_session} cookie and redirects to {@code next}, which must be a path on this site
 * ({@link #safeNext}): no open redirect. The GitHub token is used inside {@link #callback} only.
 */
final class AuthApi {
    static final String OAUTH_COOKIE = "ac_oauth";
    static final Duration OAUTH_TTL = Duration.ofMinutes(10);

    private final Database db;
    private final Http http;
    private final GitHub github;
    private final SignInPolicy policy;
    private final BrowserSessions sessions;
    private final LoginLinks links;
    private final WebOrigin origin;
    private final Clock clock;

    AuthApi(Database db, Http http, GitHub github, SignInPolicy policy, BrowserSessions sessions, LoginLinks links,
            WebOrigin origin, Clock clock) {
        this.db = db;
        this.http = http;
        this.github = github;
        this.policy = policy;
        this.sessions = sessions;
        this.links = links;
        this.origin = origin;
        this.clock = clock;
    }

    void register(Routes r) {
        r.get("/login", (req, res) -> Pages.login(res, policy.github(), safeNext(Http.query(req, "next")), null));
        r.get("/auth/github/login", this::start);
        r.get("/auth/github/callback", this::callback);
        r.get("/auth/link", this::link);
        r.post("/auth/logout", this::logout);
    }

    /**
     * {@code next} when it is a path on this site: one {@code /} followed by neither {@code /} nor {@code \}, and
     * no control characters; else {@code /}.
     */
    static String safeNext(String next) {
        if (next == null || next.length() > 2000 || !next.startsWith("/") || next.startsWith("//")
                || next.startsWith("/\\") || next.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '\\')) {
            return "/";
        }
        return next;
    }

    private void start(ServerRequest req, ServerResponse res) {
        if (!policy.github()) {
            Pages.failed(res, 404, "GitHub sign-in is not configured on this server (GITHUB_CLIENT_ID).");
            return;
        }
        String next = safeNext(Http.query(req, "next"));
        String state = Secrets.randomToken();
        String verifier = Secrets.randomToken();
        long exp = clock.instant().plus(OAUTH_TTL).getEpochSecond();
        String value = state + "~" + verifier + "~" + exp + "~" + b64(next.getBytes(StandardCharsets.UTF_8));
        res.headers().addCookie(cookie(OAUTH_COOKIE, value, "/auth/github", OAUTH_TTL));
        res.status(302);
        res.headers().location(github.authorizeUrl(callbackUrl(), state, challenge(verifier)));
        res.send();
    }

    private String callbackUrl() {
        return origin.baseUrl() + "/auth/github/callback";
    }

    private void callback(ServerRequest req, ServerResponse res) {
        String[] saved = split(Http.cookie(req, OAUTH_COOKIE));
        res.headers().addCookie(cookie(OAUTH_COOKIE, "", "/auth/github", Duration.ZERO));
        String state = Http.query(req, "state");
        String code = Http.query(req, "code");
        if (Http.query(req, "error") != null) {
            Pages.failed(res, 400, "GitHub did not sign you in (" + Http.query(req, "error") + "). Start again.");
            return;
        }
        if (saved == null || state == null || code == null || !MessageDigest.isEqual(
                saved[0].getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))
                || Long.parseLong(saved[2]) <= clock.instant().getEpochSecond()) {
            Pages.failed(res, 400, "This sign-in was not started in this browser, or took longer than 10 minutes "
                    + "(state missing or mismatched). Start again.");
            return;
        }
        if (!policy.github()) {
            Pages.failed(res, 404, "GitHub sign-in is not configured on this server.");
            return;
        }
        String next;
        try {
            next = safeNext(new String(Base64.getUrlDecoder().decode(saved[3]), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            next = "/";
        }
        GitHub.Profile p;
        try {
            p = github.profile(github.exchange(code, callbackUrl(), saved[1]));
        } catch (GitHub.GitHubException e) {
            Pages.failed(res, 502, e.getMessage());
            return;
        }
        List<String> verified = p.verified();
        List<String> seen = new ArrayList<>();
        p.emails().forEach(e -> seen.add(e.email() + (e.verified() ? "" : " (not verified)")));
        UserRows.User existing = db.tx(c -> UserRows.byGithubId(c, p.id()));
        String why = existing != null && existing.disabled() ? "this account is disabled here"
                : !policy.admits(verified, p.orgs()) ? "no verified email of yours is allowed"
                + (policy.checksOrgs() ? " and you are in none of the allowed orgs" : "") : null;
        if (why != null) {
            db.tx(c -> {
                Audit.write(c, "github:" + p.login(), null, "auth.refused", "github:" + p.id(),
                        detail(p, seen, why));
                return null;
            });
            Pages.refused(res, p.login(), seen, why);
            return;
        }
        boolean admin = policy.admin(verified);
        String email = p.primaryEmail() != null ? p.primaryEmail() : verified.isEmpty() ? null : verified.getFirst();
        String cookie = db.tx(c -> {
            String role = admin ? Role.ADMIN.wire() : existing != null ? existing.role() : policy.defaultRole().wire();
            UserRows.User u = UserRows.upsertGithub(c, p.id(), p.login(), email, p.name(), p.avatarUrl(), role,
                    clock.instant());
            if (u.disabled()) {
                return null;
            }
            String value = sessions.create(c, u.id());
            ObjectNode d = detail(p, seen, null);
            d.put("via", "github");
            Audit.write(c, Long.toString(u.id()), u.role(), "auth.login", "user:" + u.id(), d);
            return value;
        });
        if (cookie == null) {
            Pages.refused(res, p.login(), seen, "this account is disabled here");
            return;
        }
        signedIn(res, cookie, next);
    }

    private void link(ServerRequest req, ServerResponse res) {
        var code = links.check(Http.query(req, "code"));
        if (code.isEmpty()) {
            Pages.failed(res, 400, "This sign-in link is not valid or has expired (links last 10 minutes). Run "
                    + "./commander login-link for a new one.");
            return;
        }
        Role role = code.get().role();
        String cookie = db.tx(c -> {
            if (!UserSessionRows.useLink(c, code.get().codeHash(), clock.instant())) {
                return "";
            }
            UserRows.User u = UserRows.upsertLocal(c, LoginLinks.localLogin(role), role.wire(), clock.instant());
            if (u.disabled()) {
                Audit.write(c, u.login(), u.role(), "auth.refused", "user:" + u.id(),
                        Json.mapper().createObjectNode().put("via", "link").put("reason", "disabled"));
                return null;
            }
            Audit.write(c, Long.toString(u.id()), u.role(), "auth.link", "user:" + u.id(),
                    Json.mapper().createObjectNode().put("login", u.login()));
            return sessions.create(c, u.id());
        });
        if (cookie == null) {
            Pages.failed(res, 403, "The local user " + LoginLinks.localLogin(role) + " is disabled.");
        } else if (cookie.isEmpty()) {
            Pages.failed(res, 400, "This sign-in link was used already (each link works once). Run "
                    + "./commander login-link for a new one.");
        } else {
            signedIn(res, cookie, "/");
        }
    }

    private void signedIn(ServerResponse res, String cookie, String next) {
        res.headers().addCookie(cookie(BrowserSessions.COOKIE, cookie, "/", BrowserSessions.ABSOLUTE));
        res.status(302);
        res.header(HeaderNames.LOCATION, next);
        res.send();
    }

    /** Sign-out: revokes the session at once (every replica's database lookup sees it) and clears the cookie. */
    private void logout(ServerRequest req, ServerResponse res) {
        String cookie = Http.cookie(req, BrowserSessions.COOKIE);
        if (cookie != null && sessions.lookup(cookie).isPresent()) {
            Http.Caller c = http.authenticate(req); // a cookie POST: CSRF token and Origin are checked
            if (c.cookie() != null) {
                Long user = sessions.revoke(c.cookie());
                if (user != null) {
                    db.tx(conn -> {
                        Audit.write(conn, c.principal().subject(), c.principal().role().wire(), "auth.logout",
                                "user:" + user, null);
                        return null;
                    });
                }
            }
        }
        res.headers().addCookie(cookie(BrowserSessions.COOKIE, "", "/", Duration.ZERO));
        res.status(204).send();
    }

    /** A cookie for {@code maxAge}; zero clears it (Helidon drops {@code Max-Age=0}, so: an Expires in 1970). */
    private SetCookie cookie(String name, String value, String path, Duration maxAge) {
        SetCookie.Builder b = SetCookie.builder(name, value).path(path).httpOnly(true)
                .sameSite(SetCookie.SameSite.LAX).secure(origin.secure());
        return (maxAge.isZero() ? b.expires(java.time.Instant.EPOCH) : b.maxAge(maxAge)).build();
    }

    private static ObjectNode detail(GitHub.Profile p, List<String> seen, String why) {
        ObjectNode d = Json.mapper().createObjectNode();
        d.put("login", p.login());
        d.put("github_id", p.id());
        ArrayNode es = d.putArray("emails");
        seen.forEach(es::add);
        ArrayNode os = d.putArray("orgs");
        p.orgs().forEach(os::add);
        if (why != null) {
            d.put("reason", why);
        }
        return d;
    }

    private static String[] split(String value) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split("~", -1);
        if (parts.length != 4 || parts[0].isEmpty() || parts[1].isEmpty() || !parts[2].matches("[0-9]{1,12}")
                || !parts[3].matches("[A-Za-z0-9_-]{0,3000}")) {
            return null;
        }
        return parts;
    }

    private static String challenge(String verifier) {
        try {
            return b64(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
