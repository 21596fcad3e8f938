package dev.agentcommander.agentd.hooks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where {@code agentd install-hooks --provider codex} writes, and which events: Codex reads Claude-style hooks
 * ({@code {"hooks": {"PermissionRequest": [{"matcher": "*", "hooks": [{"type": "command", "command": …,
 * "timeout": …}]}]}}}) from {@code $CODEX_HOME/hooks.json} (default {@code ~/.codex/hooks.json}) and from a
 * project's {@code .codex/hooks.json}. Only events Codex 0.169.0 knows are installed (it has no
 * {@code Notification} or {@code SubagentStop} like Claude's). The installed command is
 * {@code agentd-hook --provider codex}, which posts to {@code /hooks/codex} and prints Codex's answer format.
 */
final class CodexHooks {
    static final List<String> EVENTS = List.of("PermissionRequest", "PreToolUse", "PostToolUse", "UserPromptSubmit",
            "Stop", "SessionStart", "SessionEnd");

    private CodexHooks() {
    }

    static Path file(boolean user, Path home, Path projectDir, Map<String, String> env) {
        if (!user) {
            return projectDir.resolve(".codex/hooks.json");
        }
        String codexHome = env.get("CODEX_HOME");
        return codexHome != null && codexHome.startsWith("/") ? Path.of(codexHome, "hooks.json")
                : home.resolve(".codex/hooks.json");
    }
}
