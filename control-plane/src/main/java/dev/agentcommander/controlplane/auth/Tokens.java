package dev.agentcommander.controlplane.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Control-plane JWTs (HS256, issuer and audience {@code agent-commander}): what the CLI mints for people and
 * scripts until GitHub sign-in exists, and what the REST API and the UI socket accept. A JWT cannot be revoked
 * short of changing the secret, so its lifetime is capped ({@link #MAX_LIFETIME}, checked on {@code exp - iat} of
 * every token, not only on what this code mints), and a token is refused before its {@code nbf}. The audience keeps
 * a token minted with the same secret for another purpose from passing as ours. Times are read from the injected
 * clock so tests can move time; {@link #LEEWAY} absorbs clock skew between replicas for {@code nbf} and
 * {@code iat} only ({@code exp} is exact).
 */
public final class Tokens {
    public static final String ISSUER = "agent-commander";
    public static final String AUDIENCE = "agent-commander";
    /** The longest a token may live ({@code exp - iat}): 30 days. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(30);
    static final Duration LEEWAY = Duration.ofSeconds(60);

    /** An authenticated caller, until {@code expiresAt} (the token's {@code exp}: a socket must not outlive it). */
    public record Principal(String subject, Role role, Instant expiresAt) {
    }

    private final byte[] secret;
    private final Clock clock;

    public Tokens(byte[] secret, Clock clock) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("JWT secret must be at least 32 bytes");
        }
        this.secret = secret.clone();
        this.clock = clock;
    }

    /** A token for {@code subject} valid from now for {@code ttl} (at most {@link #MAX_LIFETIME}). */
    public String issue(String subject, Role role, Duration ttl) {
        if (ttl.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("a token lives at most " + MAX_LIFETIME.toDays() + " days");
        }
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
                .claim("role", role.wire()).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign JWT", e);
        }
        return jwt.serialize();
    }

    /**
     * The caller a token stands for, or empty when it is malformed, forged, expired, not yet valid, from another
     * issuer or for another audience, or made to live longer than {@link #MAX_LIFETIME}.
     */
    public Optional<Principal> verify(String token) {
        if (token == null || token.isBlank() || token.length() > 8192) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())
                    || !jwt.verify(new MACVerifier(secret))) {
                return Optional.empty();
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            if (!valid(c, clock.instant())) {
                return Optional.empty();
            }
            Role role = Role.fromWire(c.getStringClaim("role"));
            if (role == null || c.getSubject() == null) {
                return Optional.empty();
            }
            return Optional.of(new Principal(c.getSubject(), role, c.getExpirationTime().toInstant()));
        } catch (ParseException | JOSEException e) {
            return Optional.empty();
        }
    }

    private static boolean valid(JWTClaimsSet c, Instant now) {
        Date exp = c.getExpirationTime();
        Date iat = c.getIssueTime();
        Date nbf = c.getNotBeforeTime();
        List<String> aud = c.getAudience();
        return exp != null && exp.toInstant().isAfter(now)
                && iat != null && !iat.toInstant().isAfter(now.plus(LEEWAY))
                && Duration.between(iat.toInstant(), exp.toInstant()).compareTo(MAX_LIFETIME) <= 0
                && (nbf == null || !nbf.toInstant().isAfter(now.plus(LEEWAY)))
                && ISSUER.equals(c.getIssuer())
                && aud != null && aud.contains(AUDIENCE);
    }
}
