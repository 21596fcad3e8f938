package dev.agentcommander.agentd.panes;

import dev.agentcommander.schema.Session;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Git metadata of a directory (repo root, branch, dirty) with a TTL cache: three git processes per pane per poll
 * would dominate agentd's CPU, and a branch shown a few seconds late is fine.
 */
public final class GitInfo {
    private static final int MAX_ENTRIES = 1024;

    private record Cached(Session.Git git, Instant at) {
    }

    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public GitInfo(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Git metadata of {@code cwd}, or null when it is not inside a repository. */
    public Session.Git lookup(String cwd) {
        if (cwd == null || cwd.isEmpty()) {
            return null;
        }
        Instant now = clock.instant();
        Cached c = cache.get(cwd);
        if (c != null && now.isBefore(c.at.plus(ttl))) {
            return c.git;
        }
        Session.Git g = read(cwd);
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(cwd, new Cached(g, now));
        return g;
    }

    /** Forgets what is cached for {@code cwd} (a command just changed it). */
    public void invalidate(String cwd) {
        cache.remove(cwd);
    }

    private static Session.Git read(String cwd) {
        String root = git(cwd, "rev-parse", "--show-toplevel");
        if (root == null) {
            return null;
        }
        String branch = git(cwd, "rev-parse", "--abbrev-ref", "HEAD");
        if (branch == null) {
            branch = git(cwd, "symbolic-ref", "--short", "-q", "HEAD"); // a repo without commits yet
        }
        String status = git(cwd, "status", "--porcelain", "-uno");
        return new Session.Git(root.strip(), branch == null ? null : branch.strip(),
                status != null && !status.isBlank());
    }

    /** Runs git in {@code cwd}; stdout, or null on failure. */
    public static String git(String cwd, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", cwd));
        cmd.addAll(List.of(args));
        try {
            ProcessRunner.Result r = ProcessRunner.run(cmd, Map.of("GIT_OPTIONAL_LOCKS", "0"), Duration.ofSeconds(10),
                    false);
            return r.ok() ? r.output() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
