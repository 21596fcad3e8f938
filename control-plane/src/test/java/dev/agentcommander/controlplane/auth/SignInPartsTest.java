package dev.agentcommander.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.controlplane.testkit.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pure parts of sign-in: this site's origin, the Cookie header, one-time link codes. */
class SignInPartsTest {
    private static final byte[] KEY = "sign-in-parts-secret-sign-in-parts-0123".getBytes(StandardCharsets.UTF_8);

    @Test
    void thePublicUrlsOriginIsTheOnlyOneAndDefaultPortsDoNotCount() {
        WebOrigin o = new WebOrigin("https://Commander.Example.com:443/", "0.0.0.0");
        o.listening(8080);
        assertThat(o.allows("https://commander.example.com")).isTrue();
        assertThat(o.allows("http://commander.example.com")).isFalse();
        assertThat(o.allows("https://commander.example.com.evil.example")).isFalse();
        assertThat(o.allows("http://127.0.0.1:8080")).isFalse();
        assertThat(o.allows("null")).isFalse();
        assertThat(o.allows(null)).isFalse();
        assertThat(o.secure()).isTrue();
        assertThat(o.baseUrl()).isEqualTo("https://Commander.Example.com:443");
    }

    @Test
    void onLoopbackWithoutPublicUrlTheThreeLoopbackOriginsCount() {
        WebOrigin o = new WebOrigin(null, "127.0.0.1");
        assertThat(o.allows("http://127.0.0.1:9000")).as("before it listens").isFalse();
        o.listening(9000);
        assertThat(o.allows("http://127.0.0.1:9000")).isTrue();
        assertThat(o.allows("http://localhost:9000")).isTrue();
        assertThat(o.allows("http://[::1]:9000")).isTrue();
        assertThat(o.allows("http://127.0.0.1:9001")).isFalse();
        assertThat(o.secure()).isFalse();
        WebOrigin wild = new WebOrigin(null, "0.0.0.0");
        wild.listening(9000);
        assertThat(wild.allows("http://127.0.0.1:9000")).as("not on loopback: nothing counts").isFalse();
        assertThat(wild.baseUrl()).isNull();
    }

    @Test
    void aServerThatSpeaksTlsItselfHasHttpsLoopbackOriginsAndSecureCookies() {
        WebOrigin o = new WebOrigin(null, "127.0.0.1", true);
        o.listening(8443);
        assertThat(o.allows("https://127.0.0.1:8443")).isTrue();
        assertThat(o.allows("https://localhost:8443")).isTrue();
        assertThat(o.allows("http://127.0.0.1:8443")).as("not the scheme it serves").isFalse();
        assertThat(o.baseUrl()).isEqualTo("https://127.0.0.1:8443");
        assertThat(o.secure()).isTrue();
        assertThat(new WebOrigin("https://commander.example.com", "0.0.0.0", true).secure()).isTrue();
    }

    @Test
    void theCookieHeaderIsReadByName() {
        assertThat(WebOrigin.cookie("a=1; ac_session=xyz; b=2", "ac_session")).isEqualTo("xyz");
        assertThat(WebOrigin.cookie("ac_session=\"q\"", "ac_session")).isEqualTo("q");
        assertThat(WebOrigin.cookie("x_ac_session=1", "ac_session")).isNull();
        assertThat(WebOrigin.cookie(null, "ac_session")).isNull();
    }

    @Test
    void aLinkCodeIsSignedNamesItsRoleAndExpires() {
        TestClock clock = new TestClock();
        clock.freeze();
        LoginLinks links = new LoginLinks(KEY, clock);
        String code = links.mint(Role.OPERATOR);
        assertThat(links.check(code).orElseThrow().role()).isEqualTo(Role.OPERATOR);
        assertThat(links.check(code.replaceFirst("^operator", "admin"))).as("role changed").isEmpty();
        String[] parts = code.split("\\.");
        long later = Long.parseLong(parts[1]) + 3600;
        assertThat(links.check(parts[0] + "." + later + "." + parts[2] + "." + parts[3])).as("expiry moved").isEmpty();
        assertThat(new LoginLinks("another-secret-another-secret-another-01".getBytes(StandardCharsets.UTF_8), clock)
                .check(code)).as("another instance's secret").isEmpty();
        assertThat(links.check("admin.1.x.y")).isEmpty();
        assertThat(links.check(null)).isEmpty();
        clock.advance(LoginLinks.LIFETIME.minus(Duration.ofSeconds(1)));
        assertThat(links.check(code)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(links.check(code)).as("after 10 minutes").isEmpty();
        assertThat(LoginLinks.localLogin(Role.ADMIN)).isEqualTo("local");
        assertThat(LoginLinks.localLogin(Role.VIEWER)).isEqualTo("local-viewer");
    }
}
