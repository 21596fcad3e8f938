package dev.agentcommander.agentd.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real git repository with one commit, for tests of git metadata and worktrees. */
public final class GitRepo {
    private GitRepo() {
    }

    /** Creates a repository in {@code dir} on {@code branch} with one committed file; returns its real path. */
    public static Path init(Path dir, String branch) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        run(dir, "git", "init", "-q", "-b", branch);
        Files.writeString(dir.resolve("README"), "hi\n");
        run(dir, "git", "add", "README");
        run(dir, "git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "init");
        return dir.toRealPath();
    }

    /** Runs {@code cmd} in {@code dir}; fails the test with its output when it exits non-zero. */
    public static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + o);
        }
    }
}
