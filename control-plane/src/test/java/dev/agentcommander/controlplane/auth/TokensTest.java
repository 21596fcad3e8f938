package dev.agentcommander.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokensTest {
    private static final byte[] SECRET = "tokens-test-secret-tokens-test-secret-01".getBytes(StandardCharsets.UTF_8);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static Tokens at(Instant now) {
        return new Tokens(SECRET, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aMintedTokenIsValidFromNowUntilItExpires() {
        String t = at(T0).issue("alice", Role.ADMIN, Duration.ofHours(1));
        assertThat(at(T0).verify(t)).hasValue(new Tokens.Principal("alice", Role.ADMIN, T0.plus(Duration.ofHours(1))));
        assertThat(at(T0.plus(Duration.ofMinutes(59))).verify(t)).isPresent();
        assertThat(at(T0.plus(Duration.ofHours(1))).verify(t)).isEmpty();
    }

    @Test
    void notBeforeAndIssuedAtAllowOnlyAMinuteOfClockSkew() {
        String t = at(T0).issue("alice", Role.VIEWER, Duration.ofHours(1));
        assertThat(at(T0.minus(Tokens.LEEWAY)).verify(t)).as("a replica a minute behind").isPresent();
        assertThat(at(T0.minus(Tokens.LEEWAY).minusSeconds(1)).verify(t)).as("before nbf").isEmpty();
    }

    @Test
    void noTokenLivesLongerThanTheCap() {
        String longest = at(T0).issue("bot", Role.OPERATOR, Tokens.MAX_LIFETIME);
        assertThat(at(T0.plus(Tokens.MAX_LIFETIME).minusSeconds(1)).verify(longest)).isPresent();
        assertThatThrownBy(() -> at(T0).issue("bot", Role.OPERATOR, Tokens.MAX_LIFETIME.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTokenFromAnotherSecretIsRefused() {
        Tokens other = new Tokens("another-secret-another-secret-0123456789".getBytes(StandardCharsets.UTF_8),
                Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(at(T0).verify(other.issue("eve", Role.ADMIN, Duration.ofHours(1)))).isEmpty();
        assertThat(at(T0).verify("not.a.jwt")).isEmpty();
    }
}
