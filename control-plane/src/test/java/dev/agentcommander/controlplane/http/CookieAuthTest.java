package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.auth.BrowserSessions;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.Browser;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The browser session once signed in (through the one-time local link): CSRF and Origin on cookie changes, the
 * Origin check on the UI socket, sign-out, disabling, the last admin, and the short JWT for scripts. Link and
 * session expiry are decided by the injected clock.
 */
class CookieAuthTest {
    static final TestClock clock = new TestClock();

    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);

    static String base() {
        return "http://127.0.0.1:" + cp.port();
    }

    static String mint(Role role) {
        return cp.controlPlane().signIn().links().mint(role);
    }

    /** A browser signed in through a fresh link for {@code role}, and its CSRF token. */
    static Browser signedIn(Role role) {
        Browser b = new Browser();
        Browser.Page p = b.get(base() + "/auth/link?code=" + mint(role));
        assertThat(p.status()).as(p.body()).isEqualTo(302);
        assertThat(p.location()).isEqualTo("/");
        return b;
    }

    static String csrf(Browser b) {
        return b.get(base() + "/v1/me").json().get("csrf_token").asText();
    }

    @Test
    void theOneTimeLinkSignsInOnceAsTheLocalAdmin() {
        String code = mint(Role.ADMIN);
        Browser b = new Browser();
        assertThat(b.get(base() + "/auth/link?code=" + code).status()).isEqualTo(302);
        JsonNode me = b.get(base() + "/v1/me").json();
        assertThat(me.at("/user/login").asText()).isEqualTo("local");
        assertThat(me.get("role").asText()).isEqualTo("admin");
        Browser again = new Browser();
        Browser.Page second = again.get(base() + "/auth/link?code=" + code);
        assertThat(second.status()).isEqualTo(400);
        assertThat(second.body()).contains("used already");
        assertThat(again.cookies).doesNotContainKey("ac_session");
        assertThat(new Browser().get(base() + "/auth/link?code=" + code.replace("admin.", "viewer.")).status())
                .as("a code whose role was changed").isEqualTo(400);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'auth.link'")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void withoutGitHubTheLoginPageOffersOnlyTheLocalLink() {
        Browser.Page p = new Browser().get(base() + "/login");
        assertThat(p.status()).isEqualTo(200);
        assertThat(p.body()).contains("./commander login-link").doesNotContain("Sign in with GitHub")
                .doesNotContain("<script");
        assertThat(p.headers().get("content-security-policy").getFirst()).contains("script-src 'self'");
        assertThat(new Browser().get(base() + "/auth/github/login").status()).isEqualTo(404);
    }

    @Test
    void aLinkNoLongerWorksAfterTenMinutes() {
        String code = mint(Role.OPERATOR);
        long sessions = cp.count("SELECT count(*) FROM user_sessions");
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        Browser b = new Browser();
        assertThat(b.get(base() + "/auth/link?code=" + code).status()).isEqualTo(400);
        assertThat(cp.count("SELECT count(*) FROM user_sessions")).isEqualTo(sessions);
        Browser fresh = signedIn(Role.OPERATOR);
        JsonNode me = fresh.get(base() + "/v1/me").json();
        assertThat(me.at("/user/login").asText()).isEqualTo("local-operator");
        assertThat(me.get("role").asText()).isEqualTo("operator");
    }

    @Test
    void aCookieChangeWithoutTheCsrfTokenOrFromAForeignOriginIs403AndChangesNothing() {
        Browser admin = signedIn(Role.ADMIN);
        String token = csrf(admin);
        String body = "{\"name\":\"csrf-host\"}";
        Browser.Page noToken = admin.post(base() + "/v1/hosts", body);
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.json().at("/error/code").asText()).isEqualTo("csrf");
        assertThat(admin.post(base() + "/v1/hosts", body, "X-CSRF-Token", "wrong").status()).isEqualTo(403);
        Browser.Page foreign = admin.post(base() + "/v1/hosts", body, "X-CSRF-Token", token,
                "Origin", "http://evil.example");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().at("/error/code").asText()).isEqualTo("csrf");
        assertThat(cp.count("SELECT count(*) FROM hosts WHERE name = 'csrf-host'")).isZero();

        assertThat(admin.post(base() + "/v1/hosts", body, "X-CSRF-Token", token, "Origin", base()).status())
                .isEqualTo(201);
        assertThat(admin.post(base() + "/v1/hosts", "{\"name\":\"csrf-host-2\"}", "X-CSRF-Token", token,
                "Origin", "http://localhost:" + cp.port()).status()).as("localhost is this loopback site too")
                .isEqualTo(201);
        assertThat(cp.count("SELECT count(*) FROM hosts WHERE name LIKE 'csrf-host%'")).isEqualTo(2);
        assertThat(cp.post("/v1/hosts", cp.token("alice", Role.ADMIN), "{\"name\":\"bearer-host\"}").status())
                .as("bearer requests need neither").isEqualTo(201);
    }

    @Test
    void withPublicUrlOnlyItsOriginCountsAndTheCookieIsSecure() {
        try (TestControlPlane pub = cp.replica(clock, c -> c.withSignIn("https://commander.example.com/",
                c.signIn()))) {
            String at = "http://127.0.0.1:" + pub.port();
            Browser b = new Browser();
            Browser.Page p = b.get(at + "/auth/link?code=" + pub.controlPlane().signIn().links().mint(Role.ADMIN));
            assertThat(p.setCookie("ac_session")).contains("Secure").contains("HttpOnly");
            String token = b.get(at + "/v1/me").json().get("csrf_token").asText();
            assertThat(b.post(at + "/v1/hosts", "{\"name\":\"pub-1\"}", "X-CSRF-Token", token, "Origin", at)
                    .status()).as("loopback is not this site once PUBLIC_URL is set").isEqualTo(403);
            assertThat(b.post(at + "/v1/hosts", "{\"name\":\"pub-1\"}", "X-CSRF-Token", token,
                    "Origin", "https://commander.example.com").status()).isEqualTo(201);
        }
    }

    @Test
    void aCookieWebSocketUpgradeFromAForeignOriginIsRefused() throws Exception {
        Browser viewer = signedIn(Role.VIEWER);
        String cookie = "ac_session=" + viewer.cookies.get("ac_session");
        try (WsClient evil = WsClient.connectWith(cp.ws("/v1/ui"),
                Map.of("Cookie", cookie, "Origin", "http://evil.example"))) {
            WsClient.Close c = evil.closed.get(10, TimeUnit.SECONDS);
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("forbidden: origin");
        }
        try (WsClient none = WsClient.connectWith(cp.ws("/v1/ui"), Map.of("Cookie", cookie))) {
            assertThat(none.closed.get(10, TimeUnit.SECONDS).reason()).isEqualTo("forbidden: origin");
        }
        try (WsClient ours = WsClient.connectWith(cp.ws("/v1/ui"), Map.of("Cookie", cookie, "Origin", base()))) {
            ours.send("{\"type\":\"subscribe\",\"sub\":\"s1\",\"topic\":\"sessions\",\"filter\":{}}");
            assertThat(ours.nextOfType("subscribed").get("sub").asText()).isEqualTo("s1");
        }
        try (WsClient forged = WsClient.connectWith(cp.ws("/v1/ui"),
                Map.of("Cookie", "ac_session=forged", "Origin", base()))) {
            assertThat(forged.closed.get(10, TimeUnit.SECONDS).reason()).startsWith("unauthorized");
        }
    }

    @Test
    void aSignedOutCookieGets401AndAnOpenSocketEndsAtItsNextMessage() throws Exception {
        Browser b = signedIn(Role.OPERATOR);
        String cookie = b.cookies.get("ac_session");
        String token = csrf(b);
        try (WsClient ws = WsClient.connectWith(cp.ws("/v1/ui"), Map.of("Cookie", "ac_session=" + cookie,
                "Origin", base()))) {
            ws.send("{\"type\":\"ping\"}");
            ws.nextOfType("pong");
            assertThat(b.post(base() + "/auth/logout", null, "X-CSRF-Token", token).status()).isEqualTo(204);
            Browser old = new Browser();
            old.cookies.put("ac_session", cookie);
            assertThat(old.get(base() + "/v1/sessions").status()).isEqualTo(401);
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.closed.get(10, TimeUnit.SECONDS).code()).isEqualTo(1008);
        }
    }

    @Test
    void aSilentCookieSocketEndsSoonAfterItsUserIsDisabled() throws Exception {
        Browser admin = signedIn(Role.ADMIN);
        Browser viewer = signedIn(Role.VIEWER);
        long id = viewer.get(base() + "/v1/me").json().at("/user/id").asLong();
        try (WsClient ws = WsClient.connectWith(cp.ws("/v1/ui"), Map.of("Cookie",
                "ac_session=" + viewer.cookies.get("ac_session"), "Origin", base()))) {
            ws.send("{\"type\":\"subscribe\",\"sub\":\"s1\",\"topic\":\"sessions\",\"filter\":{}}");
            ws.nextOfType("subscribed");
            assertThat(admin.call("PATCH", base() + "/v1/users/" + id, "{\"disabled\":true}", "X-CSRF-Token",
                    csrf(admin)).status()).isEqualTo(200);
            WsClient.Close c = ws.closed.get(BrowserSessions.CACHE_TTL.toSeconds() + 10, TimeUnit.SECONDS);
            assertThat(c.code()).as("closed without a message from the client").isEqualTo(1008);
        } finally {
            assertThat(admin.call("PATCH", base() + "/v1/users/" + id, "{\"disabled\":false}", "X-CSRF-Token",
                    csrf(admin)).status()).isEqualTo(200);
        }
    }

    @Test
    void aDisabledUsersCookieGets401() {
        Browser admin = signedIn(Role.ADMIN);
        Browser viewer = signedIn(Role.VIEWER);
        long id = viewer.get(base() + "/v1/me").json().at("/user/id").asLong();
        String audited = "SELECT count(*) FROM audit_log WHERE action = 'user.disable' AND target = 'user:" + id + "'";
        long before = cp.count(audited);
        try {
            Browser.Page p = admin.call("PATCH", base() + "/v1/users/" + id, "{\"disabled\":true}",
                    "X-CSRF-Token", csrf(admin));
            assertThat(p.status()).as(p.body()).isEqualTo(200);
            assertThat(p.json().get("disabled").asBoolean()).isTrue();
            assertThat(viewer.get(base() + "/v1/me").status()).isEqualTo(401);
            assertThat(new Browser().get(base() + "/auth/link?code=" + mint(Role.VIEWER)).status())
                    .as("a disabled local user cannot sign in by link either").isEqualTo(403);
            assertThat(cp.count(audited)).isEqualTo(before + 1);
        } finally {
            assertThat(admin.call("PATCH", base() + "/v1/users/" + id, "{\"disabled\":false}", "X-CSRF-Token",
                    csrf(admin)).status()).isEqualTo(200);
        }
        assertThat(signedIn(Role.VIEWER).get(base() + "/v1/me").status()).isEqualTo(200);
    }

    @Test
    void theLastActiveAdminCannotBeDemotedOrDisabled() {
        Browser admin = signedIn(Role.ADMIN);
        String t = csrf(admin);
        long local = admin.get(base() + "/v1/me").json().at("/user/id").asLong();
        Browser op = signedIn(Role.OPERATOR);
        long operator = op.get(base() + "/v1/me").json().at("/user/id").asLong();
        String u = base() + "/v1/users/";

        Browser.Page demote = admin.call("PATCH", u + local, "{\"role\":\"operator\"}", "X-CSRF-Token", t);
        assertThat(demote.status()).as(demote.body()).isEqualTo(409);
        assertThat(admin.call("PATCH", u + local, "{\"disabled\":true}", "X-CSRF-Token", t).status()).isEqualTo(409);
        assertThat(cp.string("SELECT role FROM users WHERE id = " + local)).isEqualTo("admin");

        assertThat(admin.call("PATCH", u + operator, "{\"role\":\"admin\"}", "X-CSRF-Token", t).status())
                .isEqualTo(200);
        assertThat(op.get(base() + "/v1/audit").status()).as("the new role takes effect at once").isEqualTo(200);
        assertThat(admin.call("PATCH", u + local, "{\"role\":\"viewer\"}", "X-CSRF-Token", t).status()).isEqualTo(200);
        assertThat(admin.get(base() + "/v1/me").json().get("role").asText()).isEqualTo("viewer");
        String ot = csrf(op);
        assertThat(op.call("PATCH", u + local, "{\"role\":\"admin\"}", "X-CSRF-Token", ot).status()).isEqualTo(200);
        assertThat(op.call("PATCH", u + operator, "{\"role\":\"operator\"}", "X-CSRF-Token", ot).status())
                .isEqualTo(200);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'user.role'")).isEqualTo(4);
        assertThat(admin.call("PATCH", u + operator, "{\"role\":\"root\"}", "X-CSRF-Token", t).status())
                .isEqualTo(400);
        assertThat(admin.call("PATCH", u + operator, "{\"owner\":true}", "X-CSRF-Token", t).status())
                .isEqualTo(400);
        assertThat(admin.call("PATCH", u + "999999", "{\"role\":\"viewer\"}", "X-CSRF-Token", t).status())
                .isEqualTo(404);
        assertThat(op.get(base() + "/v1/users").status()).isEqualTo(403);
        assertThat(admin.get(base() + "/v1/users").json().get("items")).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aSessionMintsAFiveMinuteJwtForScripts() {
        Browser b = signedIn(Role.OPERATOR);
        Browser.Page p = b.post(base() + "/v1/token", null, "X-CSRF-Token", csrf(b));
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        String jwt = p.json().get("token").asText();
        Instant exp = Instant.parse(p.json().get("expires_at").asText());
        assertThat(Duration.between(clock.instant(), exp)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5));
        JsonNode me = cp.get("/v1/me", jwt).body();
        assertThat(me.get("role").asText()).isEqualTo("operator");
        assertThat(me.at("/user/login").asText()).isEqualTo("local-operator");
        assertThat(me.get("csrf_token").isNull()).isTrue();
        assertThat(cp.post("/v1/token", jwt, null).status()).as("a JWT cannot mint another").isEqualTo(403);
        assertThat(b.post(base() + "/v1/token", null).status()).as("without the CSRF token").isEqualTo(403);
    }

    @Test
    void aSessionSignedOutOnOneReplicaEndsOnAnotherWithinTheCacheTime() {
        try (TestControlPlane other = cp.replica(clock)) {
            Browser b = signedIn(Role.VIEWER);
            String otherMe = "http://127.0.0.1:" + other.port() + "/v1/me";
            assertThat(b.get(otherMe).status()).as("accepted on the other replica").isEqualTo(200);
            String cookie = b.cookies.get("ac_session");
            assertThat(b.post(base() + "/auth/logout", null, "X-CSRF-Token", csrf(b)).status()).isEqualTo(204);
            Browser old = new Browser();
            old.cookies.put("ac_session", cookie);
            assertThat(old.get(base() + "/v1/me").status()).as("at once where it was signed out").isEqualTo(401);
            clock.advance(BrowserSessions.CACHE_TTL.plusSeconds(1));
            assertThat(old.get(otherMe).status()).as("on the other replica once its cache entry is older than "
                    + BrowserSessions.CACHE_TTL).isEqualTo(401);
        }
    }

    @Test
    void aSessionEndsAfterADayIdle() {
        Browser b = signedIn(Role.VIEWER);
        assertThat(b.get(base() + "/v1/me").status()).isEqualTo(200);
        clock.advance(Duration.ofHours(24).plusMinutes(1));
        assertThat(b.get(base() + "/v1/me").status()).isEqualTo(401);
    }
}
