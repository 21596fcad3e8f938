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
import java.util.Optional;

/**
 * Control-plane JWTs (HS256, issuer {@code agent-commander}): what the CLI mints for people and scripts until
 * GitHub sign-in exists, and what the REST API and the UI socket accept. Expiry is checked against the injected
 * clock so tests can move time.
 */
public final class Tokens {
    public static final String ISSUER = "agent-commander";

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

    public String issue(String subject, Role role, Duration ttl) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER)
                .claim("role", role.wire()).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign JWT", e);
        }
        return jwt.serialize();
    }

    /** The caller a token stands for, or empty when it is malformed, forged, expired or from another issuer. */
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
            Date exp = c.getExpirationTime();
            if (exp == null || !exp.toInstant().isAfter(clock.instant()) || !ISSUER.equals(c.getIssuer())) {
                return Optional.empty();
            }
            Role role = Role.fromWire(c.getStringClaim("role"));
            if (role == null || c.getSubject() == null) {
                return Optional.empty();
            }
            return Optional.of(new Principal(c.getSubject(), role, exp.toInstant()));
        } catch (ParseException | JOSEException e) {
            return Optional.empty();
        }
    }
}
