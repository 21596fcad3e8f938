package dev.agentcommander.e2e.realclients;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pre-seeded CLAUDE_CONFIG_DIR that lets Claude Code 2.1.328 start straight into its input box: onboarding
 * done, a theme chosen, the repository trusted, the dummy API key approved; and settings.json with the permission
 * mode and the hooks. Auto mode is refused by settings unless asked for: 2.1.328 makes it the default for new
 * users, and then commands inside the project run with no PermissionRequest at all. ({@code disableAutoMode}
 * accepts only "disable"; any other value makes Claude reject the whole settings file, hooks included.)
 */
final class ClaudeConfig {
    private ClaudeConfig() {
    }

    static void write(Path config, Path repo, ClaudeCode.Builder b, String apiKey) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("hasCompletedOnboarding", true);
        state.put("theme", "dark");
        state.put("customApiKeyResponses", Map.of("approved", List.of(apiKey.substring(apiKey.length() - 20)),
                "rejected", List.of()));
        state.put("projects", Map.of(repo.toString(), Map.of("hasTrustDialogAccepted", true)));
        if ("bypassPermissions".equals(b.permissionMode)) {
            state.put("bypassPermissionsModeAccepted", true); // else a warning screen asks first
        }
        Files.writeString(config.resolve(".claude.json"), Json.write(state));

        Map<String, Object> permissions = new LinkedHashMap<>();
        permissions.put("defaultMode", b.permissionMode);
        if (!"auto".equals(b.permissionMode)) {
            permissions.put("disableAutoMode", "disable");
        }
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("permissions", permissions);
        Map<String, Object> hooks = hooks(b.hooks);
        if (b.projectHooks) {
            Path dir = Files.createDirectories(repo.resolve(".claude"));
            Files.writeString(dir.resolve("settings.json"), Json.write(Map.of("hooks", hooks)));
        } else {
            user.put("hooks", hooks);
        }
        Files.writeString(config.resolve("settings.json"), Json.write(user));
    }

    /** {"Event": [{"hooks": [{"type": "command", "command": …}, …]}]} — no matcher, so every tool matches. */
    private static Map<String, Object> hooks(Map<String, List<String>> byEvent) {
        Map<String, Object> out = new LinkedHashMap<>();
        byEvent.forEach((event, commands) -> out.put(event, List.of(Map.of("hooks",
                commands.stream().map(c -> Map.of("type", "command", "command", c)).toList()))));
        return out;
    }
}
