package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.Browser;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.FakeGitHub;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Signing in with GitHub (github.com URL shape) against a fake GitHub on 127.0.0.1:0 and a real control plane and
 * Postgres: ADMIN_EMAILS=ada@example.com, ALLOWED_EMAILS=bob@example.com, DEFAULT_ROLE=viewer.
 */
class GitHubSignInTest {
    @RegisterExtension
    @Order(1)
    static final FakeGitHub github = FakeGitHub.githubCom();

    @RegisterExtension
    @Order(2)
    static final ControlPlaneExtension cp = new ControlPlaneExtension().configured(c -> c.withSignIn(null,
            github.policy(Set.of("ada@example.com"), Set.of("bob@example.com"), Set.of(), Role.VIEWER)));

    static String base() {
        return "http://127.0.0.1:" + cp.port();
    }

    /** A browser's whole round trip: our login → GitHub's authorize → our callback; returns the callback's page. */
    static Browser.Page signIn(Browser b, String next) {
        Browser.Page start = b.get(base() + "/auth/github/login"
                + (next == null ? "" : "?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)));
        assertThat(start.status()).as("login redirect").isEqualTo(302);
        assertThat(start.location()).startsWith(github.baseUrl() + "/login/oauth/authorize?");
        Browser.Page authorized = b.get(start.location());
        assertThat(authorized.status()).as("fake authorize: " + authorized.body()).isEqualTo(302);
        return b.get(authorized.location());
    }

    @Test
    void theWholeFlowSetsAWorkingCookieAndMeNamesTheUserAndRole() {
        github.signInAs(FakeGitHub.account(1001, "ada", "ada@example.com", true));
        Browser b = new Browser();
        Browser.Page done = signIn(b, "/approvals");
        assertThat(done.status()).as(done.body()).isEqualTo(302);
        assertThat(done.location()).isEqualTo("/approvals");
        String set = done.setCookie("ac_session");
        assertThat(set).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/").doesNotContain("Secure");
        assertThat(b.cookies).containsKey("ac_session").doesNotContainKey("ac_oauth");
        assertThat(done.setCookie("ac_oauth")).as("the OAuth cookie is cleared").contains("Expires=Thu, 1 Jan 1970");

        JsonNode me = b.get(base() + "/v1/me").json();
        assertThat(me.at("/user/login").asText()).isEqualTo("ada");
        assertThat(me.at("/user/email").asText()).isEqualTo("ada@example.com");
        assertThat(me.at("/user/avatar_url").asText()).isEqualTo("https://avatars.example/u/1001");
        assertThat(me.get("role").asText()).isEqualTo("admin");
        assertThat(me.get("csrf_token").asText()).hasSizeGreaterThan(20);
        assertThat(b.get(base() + "/v1/hosts").status()).as("a REST route with the cookie").isEqualTo(200);
        assertThat(b.get(base() + "/v1/audit").status()).as("an admin route").isEqualTo(200);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND detail->>'login' = 'ada'"))
                .isEqualTo(1);
    }

    @Test
    void theFlowUsesStatePkceAndAUserAgentAndNeverKeepsTheGitHubToken() {
        github.signInAs(FakeGitHub.account(1002, "ada2", "ada@example.com", true));
        github.requests.clear();
        Browser b = new Browser();
        assertThat(signIn(b, null).location()).isEqualTo("/");
        FakeGitHub.Request authorize = github.requestsTo("/login/oauth/authorize").getFirst();
        Map<String, String> q = FakeGitHub.query(URI.create(authorize.path()).getRawQuery());
        assertThat(q).containsEntry("client_id", FakeGitHub.CLIENT_ID)
                .containsEntry("redirect_uri", base() + "/auth/github/callback")
                .containsEntry("scope", "read:user user:email").containsEntry("code_challenge_method", "S256");
        assertThat(q.get("state")).hasSizeGreaterThan(40);
        FakeGitHub.Request exchange = github.requestsTo("/login/oauth/access_token").getFirst();
        assertThat(FakeGitHub.query(exchange.body())).containsKeys("code_verifier", "client_secret", "code");
        List<FakeGitHub.Request> api = github.requestsTo("/user");
        assertThat(api).extracting(FakeGitHub.Request::path).containsExactly("/user", "/user/emails?per_page=100");
        assertThat(github.requests).filteredOn(r -> !r.path().startsWith("/login/oauth/authorize"))
                .as("every call the control plane makes").hasSize(3)
                .allSatisfy(r -> assertThat(r.headers().get("user-agent")).startsWith("agent-commander/"));
        assertThat(api).allSatisfy(r -> assertThat(r.headers().get("authorization")).startsWith("Bearer gho_"));
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%gho_%'")).isZero();
        assertThat(cp.count("SELECT count(*) FROM users WHERE concat_ws(',', login, email, name, avatar_url) "
                + "LIKE '%gho_%'")).isZero();
    }

    @Test
    void anAllowedEmailGetsTheDefaultRole() {
        github.signInAs(FakeGitHub.account(1003, "bob", "Bob@Example.com", true));
        Browser b = new Browser();
        assertThat(signIn(b, null).status()).isEqualTo(302);
        JsonNode me = b.get(base() + "/v1/me").json();
        assertThat(me.get("role").asText()).isEqualTo("viewer");
        assertThat(b.post(base() + "/v1/hosts", "{\"name\":\"x\"}", "X-CSRF-Token", me.get("csrf_token").asText())
                .status()).as("a viewer's change").isEqualTo(403);
    }

    @Test
    void aMissingOrMismatchedStateIs400AndCreatesNothing() {
        github.signInAs(FakeGitHub.account(1004, "eve", "bob@example.com", true));
        long users = cp.count("SELECT count(*) FROM users");
        long sessions = cp.count("SELECT count(*) FROM user_sessions");

        Browser b = new Browser();
        Browser.Page start = b.get(base() + "/auth/github/login");
        String callback = b.get(start.location()).location();
        String forged = callback.replaceFirst("state=[^&]*", "state=forged");
        assertThat(b.get(forged).status()).as("mismatched state").isEqualTo(400);

        Browser other = new Browser(); // the code and state reached a browser that never started a sign-in
        Browser b2 = new Browser();
        String callback2 = b2.get(b2.get(base() + "/auth/github/login").location()).location();
        Browser.Page noCookie = other.get(callback2);
        assertThat(noCookie.status()).isEqualTo(400);
        assertThat(noCookie.body()).contains("state");
        assertThat(b2.get(base() + "/auth/github/callback?code=x").status()).as("missing state").isEqualTo(400);

        assertThat(cp.count("SELECT count(*) FROM users")).isEqualTo(users);
        assertThat(cp.count("SELECT count(*) FROM user_sessions")).isEqualTo(sessions);
        assertThat(other.cookies).doesNotContainKey("ac_session");
    }

    @Test
    void anEmailOutsideTheAllowlistOrAnUnverifiedOneIsRefusedWithAPageAndAnAuditRow() {
        long users = cp.count("SELECT count(*) FROM users");
        github.signInAs(FakeGitHub.account(1005, "carol", "carol@other.example", true));
        Browser b = new Browser();
        Browser.Page refused = signIn(b, null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("carol").contains("carol@other.example");
        assertThat(b.cookies).doesNotContainKey("ac_session");

        github.signInAs(FakeGitHub.account(1006, "mallory", "bob@example.com", false));
        Browser.Page unverified = signIn(new Browser(), null);
        assertThat(unverified.status()).isEqualTo(403);
        assertThat(unverified.body()).contains("mallory").contains("bob@example.com (not verified)");

        assertThat(cp.count("SELECT count(*) FROM users")).isEqualTo(users);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'auth.refused' "
                + "AND detail->>'login' IN ('carol', 'mallory')")).isEqualTo(2);
    }

    @Test
    void nextThatLeavesTheSiteGoesToTheRoot() {
        github.signInAs(FakeGitHub.account(1007, "bob7", "bob@example.com", true));
        for (String next : List.of("//evil.example", "/\\evil.example", "https://evil.example/", "/\r\nX")) {
            assertThat(signIn(new Browser(), next).location()).as(next).isEqualTo("/");
        }
        assertThat(AuthApi.safeNext("/sessions/s_1?x=1")).isEqualTo("/sessions/s_1?x=1");
        assertThat(AuthApi.safeNext("/a\\b")).isEqualTo("/");
        assertThat(AuthApi.safeNext(null)).isEqualTo("/");
    }

    @Test
    void signingOutRevokesTheSessionAtOnce() {
        github.signInAs(FakeGitHub.account(1008, "bob8", "bob@example.com", true));
        Browser b = new Browser();
        signIn(b, null);
        String cookie = b.cookies.get("ac_session");
        String csrf = b.get(base() + "/v1/me").json().get("csrf_token").asText();
        assertThat(b.post(base() + "/auth/logout", null).status()).as("without the CSRF token").isEqualTo(403);
        Browser.Page out = b.post(base() + "/auth/logout", null, "X-CSRF-Token", csrf, "Origin", base());
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.setCookie("ac_session")).as("cleared").contains("Expires=Thu, 1 Jan 1970");
        assertThat(b.cookies).doesNotContainKey("ac_session");
        Browser old = new Browser();
        old.cookies.put("ac_session", cookie);
        assertThat(old.get(base() + "/v1/me").status()).isEqualTo(401);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'auth.logout'")).isEqualTo(1);
    }

    @Test
    void theLoginPageOffersGitHub() {
        Browser.Page p = new Browser().get(base() + "/login?next=/approvals");
        assertThat(p.status()).isEqualTo(200);
        assertThat(p.headers().get("content-type").getFirst()).startsWith("text/html");
        assertThat(p.body()).contains("href=\"/auth/github/login?next=%2Fapprovals\"").contains("Sign in with GitHub")
                .doesNotContain("<script").doesNotContain("style=");
    }
}
