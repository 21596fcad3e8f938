package dev.agentcommander.agentd.commands;

import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.ProcessRunner;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.agentd.tmux.TmuxException;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts an agent in a fresh git worktree: {@code git worktree add} under the worktree root, then a tmux window
 * running the agent there as an argument list. The worktree path is resolved and checked to stay directly under
 * the root even though CommandSpec already refused {@code ..}, and the root itself to stay inside the repository
 * ({@link WorktreeRoot}): a symlink inside the repo must not lead out.
 */
public final class Spawner {
    /** A worktree add runs checkout hooks and filters; past this it is killed and the spawn fails. */
    private static final Duration GIT_TIMEOUT = Duration.ofMinutes(2);
    /** {@code worktreeRoot} null = {@code <repo>/.worktrees}; {@code shell} runs for provider shell. */
    public record Settings(String claudePath, String codexPath, String shell, Path worktreeRoot) {
    }

    public record Spawned(String sessionId, String paneId, Path worktree) {
    }

    /**
     * Puts our Claude Code hooks into a fresh worktree before Claude starts there, so its status and approvals
     * come through hooks from the first prompt on. An interface so the spawner does not know how or where.
     */
    @FunctionalInterface
    public interface HookInstaller {
        /** For setups that want Claude started without our hooks. */
        HookInstaller NONE = worktree -> { };

        /** @throws RuntimeException with a readable message when the hooks could not be installed */
        void install(Path worktree);
    }

    private final Tmux tmux;
    private final SessionIds ids;
    private final Settings settings;
    private final HookInstaller claudeHooks;

    /** @param claudeHooks run on the new worktree before provider claude starts in it */
    public Spawner(Tmux tmux, SessionIds ids, Settings settings, HookInstaller claudeHooks) {
        this.tmux = tmux;
        this.ids = ids;
        this.settings = settings;
        this.claudeHooks = claudeHooks;
    }

    /** @throws CommandRefused with a message for the user when the request cannot be done */
    public Spawned spawn(CommandSpec.SpawnSession s) {
        Path repo = Path.of(s.repoPath());
        if (!Files.isDirectory(repo)) {
            throw new CommandRefused("repo_path: " + repo + " is not a directory");
        }
        String top = GitInfo.git(repo.toString(), "rev-parse", "--show-toplevel");
        if (top == null) {
            throw new CommandRefused("repo_path: " + repo + " is not a git repository");
        }
        Path repoTop = Path.of(top.strip());
        Path worktree = worktreePath(repoTop, s.worktreeName());
        boolean branchExists = GitInfo.git(repoTop.toString(), "rev-parse", "--verify", "-q",
                "refs/heads/" + s.branch()) != null;
        List<String> add = branchExists
                ? List.of("git", "-C", repoTop.toString(), "worktree", "add", worktree.toString(), s.branch())
                : List.of("git", "-C", repoTop.toString(), "worktree", "add", "-b", s.branch(), worktree.toString());
        run(add);
        if (s.provider() == Provider.CLAUDE) {
            try {
                claudeHooks.install(worktree);
            } catch (RuntimeException e) {
                runQuietly(List.of("git", "-C", repoTop.toString(), "worktree", "remove", "--force",
                        worktree.toString())); // so the same request can be retried
                throw new CommandRefused("cannot install Claude Code hooks in " + worktree + ": "
                        + e.getMessage(), e);
            }
        }
        List<String> argv = program(s.provider(), s.prompt());
        String pane = newWindow(worktree, s.worktreeName(), argv);
        String sessionId = ids.claim(tmux, pane); // the scanner may have named the new pane already
        tmux.run("set-option", "-p", "-t", pane, SessionIds.MANAGED_OPTION, "1");
        return new Spawned(sessionId, pane, worktree);
    }

    Path worktreePath(Path repoTop, String name) {
        Path realRoot = WorktreeRoot.resolve(repoTop, settings.worktreeRoot());
        Path p = realRoot.resolve(name).normalize();
        if (!realRoot.equals(p.getParent())) {
            throw new CommandRefused("worktree_name: must stay inside " + realRoot);
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandRefused("worktree_name: " + p + " already exists");
        }
        WorktreeRoot.exclude(repoTop, realRoot);
        return p;
    }

    private List<String> program(Provider provider, String prompt) {
        List<String> argv = new ArrayList<>();
        switch (provider) {
            case CLAUDE -> argv.add(settings.claudePath());
            case CODEX -> argv.add(settings.codexPath());
            default -> argv.add(settings.shell());
        }
        if (prompt != null && !prompt.isBlank() && provider != Provider.SHELL) {
            argv.add(prompt);
        }
        return argv;
    }

    private String newWindow(Path cwd, String name, List<String> argv) {
        List<String> args = new ArrayList<>(List.of("new-window", "-d", "-P", "-F", "#{pane_id}", "-n", name,
                "-c", cwd.toString()));
        args.addAll(argv);
        try {
            return tmux.run(args.toArray(String[]::new)).strip();
        } catch (TmuxException.NoServer | TmuxException.NoCurrentTarget e) { // no session to open a window in
            List<String> ns = new ArrayList<>(List.of("new-session", "-d", "-P", "-F", "#{pane_id}", "-s",
                    "agents", "-n", name, "-c", cwd.toString()));
            ns.addAll(argv);
            return tmux.run(ns.toArray(String[]::new)).strip();
        }
    }

    private static void runQuietly(List<String> cmd) {
        try {
            run(cmd);
        } catch (RuntimeException e) {
            // best effort: the error being reported is the one that matters
        }
    }

    private static void run(List<String> cmd) {
        ProcessRunner.Result r;
        try {
            r = ProcessRunner.run(cmd, Map.of(), GIT_TIMEOUT, true);
        } catch (IOException e) {
            throw new CommandRefused("cannot run git: " + e.getMessage(), e);
        }
        if (!r.ok()) {
            throw new CommandRefused("git worktree add failed: " + r.output().strip());
        }
    }
}
