package dev.agentcommander.controlplane.auth;

import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.UserRows;
import dev.agentcommander.controlplane.db.UserSessionRows;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Browser sessions behind the {@code ac_session} cookie: a random 256-bit id whose SHA-256 is the row in
 * {@code user_sessions}, so any replica accepts it and a copy of the table signs nobody in. A session ends after
 * {@link #IDLE} without a request, {@link #ABSOLUTE} after sign-in, at sign-out or when its user is disabled.
 *
 * <p>Postgres must not become the hot path of every request, so each replica keeps what it looked up for
 * {@link #CACHE_TTL} and writes {@code last_seen_at} at most once per {@link #TOUCH_EVERY} per session. What this
 * replica revokes leaves its cache at once; a session revoked on <em>another</em> replica can still pass here for
 * up to {@link #CACHE_TTL}. The CSRF token is an HMAC of the cookie with the instance secret: nothing to store,
 * the same on every replica, and worthless without the cookie.
 */
public final class BrowserSessions {
    public static final String COOKIE = "ac_session";
    public static final Duration IDLE = Duration.ofHours(24);
    public static final Duration ABSOLUTE = Duration.ofDays(7);
    public static final Duration CACHE_TTL = Duration.ofSeconds(5);
    public static final Duration TOUCH_EVERY = Duration.ofSeconds(60);
    private static final int MAX_CACHED = 10_000;

    /** A signed-in browser: who, with which role (read from {@code users} at lookup), and its CSRF token. */
    public record Caller(Tokens.Principal principal, UserRows.User user, String csrfToken) {
    }

    private record Cached(UserSessionRows.Live live, Instant fetchedAt) {
    }

    private final Database db;
    private final Clock clock;
    private final byte[] key;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public BrowserSessions(Database db, byte[] key, Clock clock) {
        this.db = db;
        this.key = key.clone();
        this.clock = clock;
    }

    /** A new session for {@code userId} inside the caller's transaction; returns the cookie value. */
    public String create(Connection c, long userId) throws SQLException {
        String cookie = Secrets.randomToken();
        Instant now = clock.instant();
        UserSessionRows.insert(c, Secrets.sha256Hex(cookie), userId, now, now.plus(ABSOLUTE));
        return cookie;
    }

    /** The caller behind cookie value {@code cookie}, or empty when it is unknown, ended, or its user disabled. */
    public Optional<Caller> lookup(String cookie) {
        if (cookie == null || cookie.isEmpty() || cookie.length() > 128) {
            return Optional.empty();
        }
        String hash = Secrets.sha256Hex(cookie);
        Instant now = clock.instant();
        Cached c = cache.get(hash);
        if (c == null || !c.fetchedAt().plus(CACHE_TTL).isAfter(now) || c.fetchedAt().isAfter(now)) {
            UserSessionRows.Live live = db.tx(conn -> {
                UserSessionRows.Live l = UserSessionRows.live(conn, hash, now, now.minus(IDLE));
                if (l != null && !l.lastSeenAt().plus(TOUCH_EVERY).isAfter(now)) {
                    UserSessionRows.touch(conn, hash, now);
                    l = new UserSessionRows.Live(l.idHash(), l.user(), now, l.expiresAt());
                }
                return l;
            });
            if (live == null) {
                cache.remove(hash);
                return Optional.empty();
            }
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            c = new Cached(live, now);
            cache.put(hash, c);
        }
        UserSessionRows.Live l = c.live();
        if (!l.expiresAt().isAfter(now) || !l.lastSeenAt().plus(IDLE).isAfter(now)) {
            cache.remove(hash);
            return Optional.empty();
        }
        Role role = Role.fromWire(l.user().role());
        if (role == null) {
            return Optional.empty();
        }
        return Optional.of(new Caller(new Tokens.Principal(Long.toString(l.user().id()), role, l.expiresAt()),
                l.user(), csrf(cookie)));
    }

    /** Ends the session behind {@code cookie} now; the user id it belonged to, or null when it was not live. */
    public Long revoke(String cookie) {
        String hash = Secrets.sha256Hex(cookie);
        cache.remove(hash);
        return db.tx(c -> UserSessionRows.revoke(c, hash, clock.instant()));
    }

    /** Ends every session of {@code userId} (in the caller's transaction) and forgets them here. */
    public int revokeUser(Connection c, long userId) throws SQLException {
        int n = UserSessionRows.revokeUser(c, userId, clock.instant());
        forgetUser(userId);
        return n;
    }

    /** Drops what this replica cached for {@code userId} (a role change shows at the next request). */
    public void forgetUser(long userId) {
        cache.values().removeIf(v -> v.live().user().id() == userId);
    }

    /** The CSRF token of the session behind {@code cookie}. */
    public String csrf(String cookie) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(("csrf:" + cookie).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code presented} is the CSRF token of {@code caller}, in constant time. */
    public static boolean csrfMatches(Caller caller, String presented) {
        return presented != null && MessageDigest.isEqual(caller.csrfToken().getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
