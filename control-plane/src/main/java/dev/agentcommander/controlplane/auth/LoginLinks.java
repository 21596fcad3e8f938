package dev.agentcommander.controlplane.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-time sign-in links ({@code /auth/link?code=…}) for the person at the machine: {@code ./commander up} and
 * {@code ./commander login-link} mint a code signed with the instance secret, which lives in the data dir (or
 * {@code JWT_SECRET}), so only someone who can read it — the local user — can make one. A code names its role and
 * expires {@link #LIFETIME} after minting; single use is kept in Postgres ({@code login_links_used}), so it holds
 * on every replica. The code is {@code role.expiry.nonce.mac}, URL-safe as it is.
 */
public final class LoginLinks {
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Pattern CODE = Pattern.compile("(admin|operator|viewer)\\.([0-9]{1,12})\\.([A-Za-z0-9_-]{22})"
            + "\\.([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A code that checked out: its role and its hash (the single-use key). */
    public record Redeemable(Role role, String codeHash) {
    }

    private final byte[] key;
    private final Clock clock;

    public LoginLinks(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    /** The local user a link with {@code role} signs in as. */
    public static String localLogin(Role role) {
        return role == Role.ADMIN ? "local" : "local-" + role.wire();
    }

    /** A fresh code for {@code role}, valid for {@link #LIFETIME}. */
    public String mint(Role role) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String payload = role.wire() + "." + clock.instant().plus(LIFETIME).getEpochSecond() + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        return payload + "." + mac(payload);
    }

    /** The code's role when it is well-formed, signed by this instance and not expired; single use is the caller's. */
    public Optional<Redeemable> check(String code) {
        if (code == null || code.length() > 200) {
            return Optional.empty();
        }
        Matcher m = CODE.matcher(code);
        if (!m.matches()) {
            return Optional.empty();
        }
        String payload = m.group(1) + "." + m.group(2) + "." + m.group(3);
        if (!MessageDigest.isEqual(mac(payload).getBytes(StandardCharsets.US_ASCII),
                m.group(4).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        Instant expires = Instant.ofEpochSecond(Long.parseLong(m.group(2)));
        Instant now = clock.instant();
        if (!expires.isAfter(now) || expires.isAfter(now.plus(LIFETIME).plusSeconds(60))) {
            return Optional.empty();
        }
        return Optional.of(new Redeemable(Role.fromWire(m.group(1)), Secrets.sha256Hex(code)));
    }

    private String mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(("login-link:" + payload).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
