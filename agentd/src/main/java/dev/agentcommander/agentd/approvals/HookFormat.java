package dev.agentcommander.agentd.approvals;

/**
 * Whose hook a request came through, so its answer is written in that agent's format: Claude Code's
 * ({@link ClaudeAnswers}) or Codex's ({@link CodexAnswers}, which never carries an edited input, a permission
 * change or {@code interrupt}).
 */
public enum HookFormat {
    CLAUDE, CODEX;

    /** The hook endpoint's provider segment ({@code /hooks/claude}, {@code /hooks/codex}); null for others. */
    public static HookFormat ofPath(String path) {
        return switch (path) {
            case "/hooks/claude" -> CLAUDE;
            case "/hooks/codex" -> CODEX;
            default -> null;
        };
    }
}
