package dev.agentcommander.agentd.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.testkit.GitRepo;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Provider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where spawn_session puts worktrees: inside the repository (or git.worktree_root), and out of its git status. */
class SpawnerWorktreeRootTest {
    @TempDir
    Path tmp;

    private PrivateTmux server;

    @BeforeEach
    void start() {
        server = PrivateTmux.start(tmp);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Spawner spawner(Path worktreeRoot) {
        return new Spawner(server.tmux(), new SessionIds(), new Spawner.Settings("claude", "codex", "/bin/sh",
                worktreeRoot), Spawner.HookInstaller.NONE);
    }

    private static CommandSpec.SpawnSession shell(Path repo, String branch, String name) {
        return new CommandSpec.SpawnSession(repo.toString(), branch, name, Provider.SHELL, null);
    }

    private int windows() {
        return server.tmux().run("list-windows", "-a", "-F", "#{window_id}").strip().split("\n").length;
    }

    @Test
    void aCommittedWorktreesSymlinkLeadingOutOfTheRepoIsRefusedAndNothingIsCreated() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "main");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(repo.resolve(".worktrees"), elsewhere);
        GitRepo.run(repo, "git", "add", ".worktrees");
        GitRepo.run(repo, "git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "link");
        int before = windows();

        assertThatThrownBy(() -> spawner(null).spawn(shell(repo, "feat/out", "wt1")))
                .isInstanceOf(CommandRefused.class).hasMessageContaining(".worktrees")
                .hasMessageContaining("outside the repository");

        try (var listed = Files.list(elsewhere)) {
            assertThat(listed).isEmpty();
        }
        assertThat(GitInfo.git(repo.toString(), "rev-parse", "--verify", "-q", "refs/heads/feat/out")).isNull();
        assertThat(GitInfo.git(repo.toString(), "worktree", "list", "--porcelain")).doesNotContain("elsewhere");
        assertThat(windows()).isEqualTo(before);
    }

    @Test
    void aDanglingWorktreesSymlinkIsRefused() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "main");
        Files.createSymbolicLink(repo.resolve(".worktrees"), tmp.resolve("not-there"));
        assertThatThrownBy(() -> spawner(null).spawn(shell(repo, "feat/d", "wt1")))
                .isInstanceOf(CommandRefused.class).hasMessageContaining(".worktrees");
        assertThat(tmp.resolve("not-there")).doesNotExist();
    }

    @Test
    void aSymlinkThatStaysInsideTheRepoAndAConfiguredRootOutsideItAreUsed() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "main");
        Path inside = Files.createDirectories(repo.resolve("build/wts"));
        Files.createSymbolicLink(repo.resolve(".worktrees"), Path.of("build/wts"));
        Spawner.Spawned a = spawner(null).spawn(shell(repo, "feat/in", "wt-in"));
        assertThat(a.worktree()).isEqualTo(inside.resolve("wt-in"));
        assertThat(a.worktree().resolve(".git")).exists();

        Path configured = tmp.resolve("configured-root");
        Spawner.Spawned b = spawner(configured).spawn(shell(repo, "feat/cfg", "wt-cfg"));
        assertThat(b.worktree()).isEqualTo(configured.toRealPath().resolve("wt-cfg"));
        assertThat(b.worktree().resolve(".git")).exists();
    }

    @Test
    void spawnedWorktreesLeaveTheRepositorysStatusCleanAndAreExcludedOnce() throws Exception {
        Path repo = GitRepo.init(tmp.resolve("repo"), "main");
        spawner(null).spawn(shell(repo, "feat/one", "wt1"));
        spawner(null).spawn(shell(repo, "feat/two", "wt2"));

        assertThat(GitInfo.git(repo.toString(), "status", "--porcelain", "--untracked-files=all")).isEmpty();
        String exclude = Files.readString(repo.resolve(".git/info/exclude"));
        assertThat(exclude.lines().filter("/.worktrees/"::equals)).hasSize(1);

        // a spawn from inside a worktree excludes in the common git dir, where git reads it for every worktree
        Path wt1 = repo.resolve(".worktrees/wt1");
        spawner(null).spawn(shell(wt1, "feat/three", "wt3"));
        assertThat(GitInfo.git(wt1.toString(), "status", "--porcelain", "--untracked-files=all")).isEmpty();
        assertThat(Files.readString(repo.resolve(".git/info/exclude")).lines().filter("/.worktrees/"::equals))
                .hasSize(1);
    }
}
