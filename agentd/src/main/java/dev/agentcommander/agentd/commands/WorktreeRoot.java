package dev.agentcommander.agentd.commands;

import dev.agentcommander.agentd.panes.GitInfo;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The directory {@code spawn_session} adds worktrees under, as a real path: {@code git.worktree_root} when set,
 * else {@code <repo>/.worktrees}. The default lives in a checkout anyone can commit to, so a committed
 * {@code .worktrees} symlink must not carry worktrees (and the agent started in them) out of the repository: its
 * real path has to lie inside the repository's real top, or the spawn is refused before anything is created.
 * A root inside the repository is also listed in the repository's {@code info/exclude}, so spawned worktrees do
 * not show up as untracked files in the user's {@code git status}.
 */
final class WorktreeRoot {
    private static final System.Logger LOG = System.getLogger(WorktreeRoot.class.getName());
    /** What an exclude line may hold without gitignore escaping (other roots are simply not excluded). */
    private static final String PLAIN = "[A-Za-z0-9._/-]+";

    private WorktreeRoot() {
    }

    /**
     * The real worktree root for a repository whose top is {@code repoTop}, created if missing.
     *
     * @param configured {@code git.worktree_root}; null = {@code <repo>/.worktrees}
     * @throws CommandRefused when the default root leads outside the repository or cannot be made
     */
    static Path resolve(Path repoTop, Path configured) {
        Path realTop;
        try {
            realTop = repoTop.toRealPath();
        } catch (IOException e) {
            throw new CommandRefused("repo_path: cannot resolve " + repoTop + ": " + e.getMessage(), e);
        }
        Path root = configured != null ? configured : realTop.resolve(".worktrees");
        Path realRoot;
        try {
            if (configured != null) {
                Files.createDirectories(root); // the operator's own choice, symlinks and all
            } else if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                createDirectory(root); // the parent is the real top: no link on the way
            }
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new CommandRefused("cannot create worktree root " + root + ": " + e.getMessage(), e);
        }
        if (!Files.isDirectory(realRoot)) {
            throw new CommandRefused("worktree root " + root + " is not a directory");
        }
        if (configured == null && (!realRoot.startsWith(realTop) || realRoot.equals(realTop))) {
            throw new CommandRefused("worktree root " + root + " leads outside the repository (to " + realRoot
                    + "); remove the link or set git.worktree_root");
        }
        return realRoot;
    }

    private static void createDirectory(Path root) throws IOException {
        try {
            Files.createDirectory(root);
        } catch (FileAlreadyExistsException e) {
            // made meanwhile (another spawn): what it is, is checked next like any existing root
        }
    }

    /**
     * Adds {@code /<root relative to the top>/} to the repository's {@code info/exclude} (in git's common dir,
     * shared by its worktrees) unless a line already says so; nothing for a root outside the repository. Best
     * effort: a spawn does not fail over its {@code git status} noise.
     */
    static void exclude(Path repoTop, Path realRoot) {
        try {
            Path realTop = repoTop.toRealPath();
            if (!realRoot.startsWith(realTop) || realRoot.equals(realTop)) {
                return;
            }
            String relative = realTop.relativize(realRoot).toString();
            if (!relative.matches(PLAIN)) {
                LOG.log(Level.INFO, "not adding worktree root " + realRoot + " to info/exclude: unusual characters");
                return;
            }
            String common = GitInfo.git(realTop.toString(), "rev-parse", "--git-common-dir");
            if (common == null) {
                return;
            }
            Path exclude = realTop.resolve(common.strip()).resolve("info").resolve("exclude");
            String line = "/" + relative + "/";
            String before = Files.exists(exclude) ? Files.readString(exclude, StandardCharsets.UTF_8) : "";
            if (before.lines().map(String::strip).anyMatch(line::equals)) {
                return;
            }
            Files.createDirectories(exclude.getParent());
            String sep = before.isEmpty() || before.endsWith("\n") ? "" : "\n";
            Files.writeString(exclude, sep + "# worktrees of agentd's spawn_session\n" + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot add " + realRoot + " to the repository's info/exclude: " + e.getMessage());
        }
    }
}
