package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.testkit.Browser;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.FakeGitHub;
import dev.agentcommander.controlplane.testkit.TestControlPlane;
import java.net.URI;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Signing in against GitHub Enterprise Server's URL shape ({@code https://HOST}, {@code https://HOST/api/v3}),
 * with ALLOWED_ORGS=acme: org membership admits; and, on a second replica with ADMIN_EMAILS only, nobody else.
 */
class GitHubEnterpriseSignInTest {
    @RegisterExtension
    @Order(1)
    static final FakeGitHub ghes = FakeGitHub.enterprise();

    @RegisterExtension
    @Order(2)
    static final ControlPlaneExtension cp = new ControlPlaneExtension().configured(c -> c.withSignIn(null,
            ghes.policy(Set.of("root@corp.example"), Set.of(), Set.of("acme"), Role.OPERATOR)));

    private static Browser.Page signIn(Browser b, int port) {
        Browser.Page start = b.get("http://127.0.0.1:" + port + "/auth/github/login");
        assertThat(start.location()).startsWith(ghes.baseUrl() + "/login/oauth/authorize?");
        Browser.Page authorized = b.get(start.location());
        assertThat(authorized.status()).as(authorized.body()).isEqualTo(302);
        return b.get(authorized.location());
    }

    @Test
    void anOrgMemberIsAdmittedThroughTheEnterpriseApiShape() {
        ghes.signInAs(FakeGitHub.account(2001, "dora", "dora@corp.example", true, "Acme", "other"));
        ghes.requests.clear();
        Browser b = new Browser();
        Browser.Page done = signIn(b, cp.port());
        assertThat(done.status()).as(done.body()).isEqualTo(302);
        assertThat(b.get("http://127.0.0.1:" + cp.port() + "/v1/me").json().get("role").asText()).isEqualTo("operator");
        String scope = FakeGitHub.query(URI.create(ghes.requestsTo("/login/oauth/authorize").getFirst().path())
                .getRawQuery()).get("scope");
        assertThat(scope).isEqualTo("read:user user:email read:org");
        assertThat(ghes.requestsTo("/api/v3/")).extracting(FakeGitHub.Request::path).containsExactly(
                "/api/v3/user", "/api/v3/user/emails?per_page=100", "/api/v3/user/orgs?per_page=100");
        assertThat(ghes.requestsTo("/user")).as("nothing at the github.com API shape").isEmpty();
    }

    @Test
    void someoneInNoAllowedOrgIsRefused() {
        ghes.signInAs(FakeGitHub.account(2002, "olaf", "olaf@corp.example", true, "other"));
        Browser.Page p = signIn(new Browser(), cp.port());
        assertThat(p.status()).isEqualTo(403);
        assertThat(p.body()).contains("olaf").contains("olaf@corp.example");
        assertThat(cp.count("SELECT count(*) FROM users WHERE github_id = 2002")).isZero();
    }

    @Test
    void withNoAllowlistOnlyAdminEmailsMaySignIn() {
        try (TestControlPlane adminsOnly = cp.replica(Clock.systemUTC(), c -> c.withSignIn(null,
                ghes.policy(Set.of("root@corp.example"), Set.of(), Set.of(), Role.OPERATOR)))) {
            ghes.signInAs(FakeGitHub.account(2003, "dan", "dan@corp.example", true, "acme"));
            Browser.Page refused = signIn(new Browser(), adminsOnly.port());
            assertThat(refused.status()).isEqualTo(403);
            assertThat(cp.count("SELECT count(*) FROM users WHERE github_id = 2003")).isZero();

            ghes.signInAs(FakeGitHub.account(2004, "root", "root@corp.example", true));
            Browser b = new Browser();
            assertThat(signIn(b, adminsOnly.port()).status()).isEqualTo(302);
            assertThat(b.get("http://127.0.0.1:" + adminsOnly.port() + "/v1/me").json().get("role").asText())
                    .isEqualTo("admin");
            assertThat(b.get("http://127.0.0.1:" + cp.port() + "/v1/me").status())
                    .as("the session works on the other replica too").isEqualTo(200);
        }
    }
}
