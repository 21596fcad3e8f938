package dev.agentcommander.agentd.hooks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Installs our hooks at project scope ({@code <worktree>/.claude/settings.json}) into a worktree agentd spawns
 * Claude in, pointing at this agentd's {@code hooks.socket} and {@code approvals.timeout_seconds}. It runs
 * {@link InstallHooks} in process (same merge rules as {@code agentd install-hooks}; no shell, no JVM start).
 */
public final class ProjectHooks {
    private final Path home;
    private final Map<String, String> env;
    private final Path socket;
    private final int approvalTimeoutSeconds;

    /** @param home and {@code env} decide where the hook script goes (as for {@code agentd install-hooks}) */
    public ProjectHooks(Path home, Map<String, String> env, Path socket, int approvalTimeoutSeconds) {
        this.home = home;
        this.env = env;
        this.socket = socket;
        this.approvalTimeoutSeconds = approvalTimeoutSeconds;
    }

    /** @throws IllegalStateException carrying install-hooks' own error text */
    public void install(Path worktree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new InstallHooks(home, worktree, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of("--scope", "project",
                "--project-dir", worktree.toString(), "--socket", socket.toString(),
                "--approval-timeout", String.valueOf(approvalTimeoutSeconds)));
        if (code != 0) {
            throw new IllegalStateException(err.toString(StandardCharsets.UTF_8).strip());
        }
    }
}
