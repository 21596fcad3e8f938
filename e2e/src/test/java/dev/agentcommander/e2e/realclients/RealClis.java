package dev.agentcommander.e2e.realclients;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the pinned real agent CLIs are. The tests do not install them (a 370 MB download has no place inside a
 * unit of test time): {@code e2e/real-clis/install} does, once per machine, and the launcher passes the paths in
 * as {@code AC_CLAUDE_BIN} / {@code AC_CODEX_BIN} (or {@code -Dac.claude.bin} / {@code -Dac.codex.bin}). A missing
 * binary fails the test with the command that fixes it, rather than skipping: a skipped real-client test would let
 * a payload change through unseen.
 */
public final class RealClis {
    /** The Claude Code version the golden files under {@code golden/claude-<version>} were recorded from. */
    public static final String CLAUDE_VERSION = "2.1.328";
    /** The Codex CLI version the golden files under {@code golden/codex-<version>} were recorded from. */
    public static final String CODEX_VERSION = "0.169.0";

    private RealClis() {
    }

    public static Path claude() {
        return locate("ac.claude.bin", "AC_CLAUDE_BIN", "Claude Code " + CLAUDE_VERSION);
    }

    public static Path codex() {
        return locate("ac.codex.bin", "AC_CODEX_BIN", "Codex " + CODEX_VERSION);
    }

    private static Path locate(String property, String env, String what) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(what + " is not installed for the tests: run"
                    + " `eval \"$(e2e/real-clis/install --export)\"` (it sets " + env + "), or pass -D" + property
                    + "=<path>. .ci/run does this itself.");
        }
        Path bin = Path.of(value);
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(env + "=" + value + " is not an executable file (" + what
                    + "); run e2e/real-clis/install again");
        }
        return bin;
    }
}
