package dev.agentcommander.e2e.realclients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throwaway git repository with one commit (both CLIs want one: Claude shows git status, Codex refuses without). */
final class GitRepo {
    private GitRepo() {
    }

    static void init(Path dir) {
        git(dir, "init", "-q", "-b", "main");
        git(dir, "-c", "user.email=e2e@agent-commander.invalid", "-c", "user.name=e2e", "commit", "-q",
                "--allow-empty", "-m", "init");
    }

    /** Runs git in {@code dir}; returns its output. */
    static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("git " + args[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: git " + args[0], e);
        }
    }
}
