package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.controlplane.auth.LoginLinks;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.SignInPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sign-in variables (read once, validated at start, errors name the variable) and {@code login-link}. */
class SignInConfigTest {
    @TempDir
    Path dir;

    private static Map<String, String> github(String... kv) {
        Map<String, String> env = new HashMap<>(Map.of("GITHUB_CLIENT_ID", "Iv1.abc", "GITHUB_CLIENT_SECRET", "s3cret",
                "ADMIN_EMAILS", "ada@example.com", "HOST", "127.0.0.1"));
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    @Test
    void withoutGitHubOnlyTheLocalLinkSignsIn() {
        SignInPolicy p = ServerConfig.fromEnv(Map.of()).signIn();
        assertThat(p.github()).isFalse();
        assertThat(p.defaultRole()).isEqualTo(Role.OPERATOR);
        assertThat(p.baseUrl()).isEqualTo(URI.create("https://github.com"));
        assertThat(p.apiUrl()).isEqualTo(URI.create("https://api.github.com"));
    }

    @Test
    void theGitHubVariablesAreReadWithEnterpriseUrlsAndListsNormalised() {
        SignInPolicy p = ServerConfig.fromEnv(github("GITHUB_BASE_URL", "https://ghe.corp.example/",
                "GITHUB_API_URL", "https://ghe.corp.example/api/v3", "ALLOWED_EMAILS", " Bob@Example.com , carol@x.org",
                "ALLOWED_ORGS", "Acme,tools-team", "DEFAULT_ROLE", "viewer")).signIn();
        assertThat(p.github()).isTrue();
        assertThat(p.baseUrl()).isEqualTo(URI.create("https://ghe.corp.example"));
        assertThat(p.apiUrl()).isEqualTo(URI.create("https://ghe.corp.example/api/v3"));
        assertThat(p.allowedEmails()).isEqualTo(Set.of("bob@example.com", "carol@x.org"));
        assertThat(p.allowedOrgs()).isEqualTo(Set.of("acme", "tools-team"));
        assertThat(p.defaultRole()).isEqualTo(Role.VIEWER);
        assertThat(p.scope()).isEqualTo("read:user user:email read:org");
        assertThat(p.toString()).doesNotContain("s3cret");
        assertThat(p.admits(List.of("BOB@example.com"), List.of())).isTrue();
        assertThat(p.admits(List.of("eve@example.com"), List.of("ACME"))).isTrue();
        assertThat(p.admits(List.of("eve@example.com"), List.of("other"))).isFalse();
    }

    @Test
    void eachBadValueNamesItsVariable() {
        Map<String, Map<String, String>> bad = Map.of(
                "GITHUB_CLIENT_SECRET", Map.of("GITHUB_CLIENT_ID", "Iv1.abc"),
                "GITHUB_CLIENT_ID", github("GITHUB_CLIENT_ID", "has space"),
                "GITHUB_BASE_URL", github("GITHUB_BASE_URL", "ghe.corp.example"),
                "GITHUB_API_URL", github("GITHUB_API_URL", "https://ghe/api?x=1"),
                "ADMIN_EMAILS", github("ADMIN_EMAILS", "not-an-email"),
                "ALLOWED_EMAILS", github("ALLOWED_EMAILS", "a@b@c"),
                "ALLOWED_ORGS", github("ALLOWED_ORGS", "no/slash"),
                "DEFAULT_ROLE", github("DEFAULT_ROLE", "admin"),
                "PUBLIC_URL", github("HOST", "0.0.0.0"));
        bad.forEach((key, env) -> assertThatThrownBy(() -> ServerConfig.fromEnv(env)).as(key)
                .isInstanceOf(ServerConfig.ConfigException.class).hasMessageStartingWith(key + ":"));
        Map<String, String> nobody = github();
        nobody.remove("ADMIN_EMAILS");
        assertThatThrownBy(() -> ServerConfig.fromEnv(nobody)).hasMessageStartingWith("ADMIN_EMAILS:")
                .hasMessageContaining("nobody may sign in");
        assertThat(ServerConfig.fromEnv(github("HOST", "0.0.0.0", "PUBLIC_URL", "https://ac.example.com")).publicUrl())
                .isEqualTo("https://ac.example.com");
    }

    @Test
    void loginLinkPrintsAOneTimeLinkSignedWithTheInstanceSecret() throws Exception {
        Map<String, String> env = Map.of("DATA_DIR", dir.toString(), "PORT", "9090");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Main.run(List.of("login-link"), env, new PrintStream(out, true))).isZero();
        String link = out.toString().trim();
        assertThat(link).startsWith("http://127.0.0.1:9090/auth/link?code=admin.");
        LoginLinks links = new LoginLinks(ControlPlane.signingKey(ServerConfig.fromEnv(env)), Clock.systemUTC());
        assertThat(links.check(link.substring(link.indexOf("code=") + 5)).orElseThrow().role()).isEqualTo(Role.ADMIN);

        out.reset();
        Map<String, String> pub = Map.of("DATA_DIR", dir.toString(), "PUBLIC_URL", "https://ac.example.com/");
        assertThat(Main.run(List.of("login-link", "--role", "viewer"), pub, new PrintStream(out, true))).isZero();
        assertThat(out.toString().trim()).startsWith("https://ac.example.com/auth/link?code=viewer.");
        assertThatThrownBy(() -> Main.run(List.of("login-link", "--role", "root"), env, new PrintStream(out)))
                .hasMessageContaining("--role");
    }
}
