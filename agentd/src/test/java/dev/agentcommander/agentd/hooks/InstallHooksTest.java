package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** install-hooks against real settings files in a temporary home. */
class InstallHooksTest {
    static final String USER_SETTINGS = """
            {
              "model": "opus",
              "permissions": {"allow": ["Bash(ls:*)"]},
              "hooks": {
                "PreToolUse": [
                  {"matcher": "Bash", "hooks": [{"type": "command", "command": "/usr/local/bin/audit-bash"}]}
                ],
                "PreCompact": [{"hooks": [{"type": "command", "command": "echo compact"}]}]
              }
            }
            """;

    @TempDir
    Path home;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        InstallHooks cmd = new InstallHooks(home, home, Map.of(), new PrintStream(out, true),
                new PrintStream(err, true));
        return cmd.run(List.of(args));
    }

    Path settings() {
        return home.resolve(".claude/settings.json");
    }

    JsonNode read() throws Exception {
        return Json.mapper().readTree(Files.readString(settings()));
    }

    static List<String> commands(JsonNode root, String event) {
        List<String> cmds = new ArrayList<>();
        root.path("hooks").path(event).forEach(g -> g.path("hooks").forEach(h -> cmds.add(h.path("command").asText())));
        return cmds;
    }

    @Test
    void mergeKeepsTheUsersHooksAndSettings() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), USER_SETTINGS);
        assertThat(run()).isZero();
        JsonNode root = read();
        assertThat(root.path("model").asText()).isEqualTo("opus");
        assertThat(root.path("permissions").path("allow").get(0).asText()).isEqualTo("Bash(ls:*)");
        String ours = home.resolve(".local/share/agentd/bin/agentd-hook").toString();
        assertThat(commands(root, "PreToolUse")).containsExactly("/usr/local/bin/audit-bash", ours);
        assertThat(commands(root, "PreCompact")).containsExactly("echo compact");
        for (String event : InstallHooks.EVENTS) {
            assertThat(commands(root, event)).as(event).contains(ours);
        }
        JsonNode perm = root.path("hooks").path("PermissionRequest").get(0);
        assertThat(perm.path("matcher").asText()).isEqualTo("*");
        assertThat(perm.path("hooks").get(0).path("type").asText()).isEqualTo("command");
        assertThat(perm.path("hooks").get(0).path("timeout").asInt()).isEqualTo(660);
        assertThat(root.path("hooks").path("Stop").get(0).has("matcher")).isFalse();
        assertThat(Files.isExecutable(Path.of(ours))).isTrue();
        assertThat(Files.readString(Path.of(ours))).contains(InstallHooks.SCRIPT_MARKER);
        assertThat(Files.readString(home.resolve(".claude/settings.json.bak"))).isEqualTo(USER_SETTINGS);
    }

    @Test
    void runningTwiceGivesTheSameFile() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), USER_SETTINGS);
        assertThat(run("--listen", "127.0.0.1:7799")).isZero();
        String first = Files.readString(settings());
        assertThat(run("--listen", "127.0.0.1:7799")).isZero();
        assertThat(Files.readString(settings())).isEqualTo(first);
        assertThat(first).contains("--listen 127.0.0.1:7799");
        assertThat(commands(read(), "Stop")).hasSize(1);
        assertThat(run("--hook-command", "/opt/agentd/agentd-hook")).isZero();
        assertThat(commands(read(), "Stop")).containsExactly("/opt/agentd/agentd-hook");
    }

    @Test
    void uninstallRemovesOnlyOurs() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), USER_SETTINGS);
        assertThat(run()).isZero();
        assertThat(run("--uninstall")).isZero();
        JsonNode root = read();
        assertThat(root).isEqualTo(Json.mapper().readTree(USER_SETTINGS));
        assertThat(root.path("hooks").has("PermissionRequest")).isFalse();
    }

    @Test
    void dryRunPrintsTheResultAndWritesNothing() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), USER_SETTINGS);
        assertThat(run("--dry-run")).isZero();
        assertThat(Files.readString(settings())).isEqualTo(USER_SETTINGS);
        assertThat(Files.exists(home.resolve(".claude/settings.json.bak"))).isFalse();
        assertThat(Files.exists(home.resolve(".local/share/agentd/bin/agentd-hook"))).isFalse();
        JsonNode printed = Json.mapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(commands(printed, "PermissionRequest")).singleElement().asString().endsWith("/agentd-hook");
        assertThat(commands(printed, "PreToolUse")).contains("/usr/local/bin/audit-bash");
    }

    @Test
    void projectScopeWritesIntoTheProjectAndCreatesTheFile() throws Exception {
        Path project = home.resolve("proj");
        Files.createDirectories(project);
        assertThat(run("--scope", "project", "--project-dir", project.toString(), "--approval-timeout", "120"))
                .isZero();
        JsonNode root = Json.mapper().readTree(Files.readString(project.resolve(".claude/settings.json")));
        JsonNode perm = root.path("hooks").path("PermissionRequest").get(0).path("hooks").get(0);
        assertThat(perm.path("timeout").asInt()).isEqualTo(180);
        assertThat(perm.path("command").asText()).endsWith("agentd-hook --timeout 120");
        assertThat(Files.exists(settings())).isFalse();
        assertThat(Files.readString(project.resolve(".claude/settings.json"))).contains("\"hooks\": {");
    }

    @Test
    void brokenSettingsAreLeftAloneWithAClearError() throws Exception {
        Files.createDirectories(settings().getParent());
        Files.writeString(settings(), "{\"hooks\": [");
        assertThat(run()).isEqualTo(1);
        assertThat(err.toString()).contains("not valid JSON").contains("not changed");
        assertThat(Files.readString(settings())).isEqualTo("{\"hooks\": [");
        assertThat(run("--scope", "galaxy")).isEqualTo(2);
        assertThat(run("--listen", "0.0.0.0:7717")).isEqualTo(2);
    }

    @Test
    void aForeignFileAtTheHookPathIsNotOverwritten() throws Exception {
        Path mine = home.resolve("bin/agentd-hook");
        Files.createDirectories(mine.getParent());
        Files.writeString(mine, "#!/bin/sh\nexec my-wrapper\n");
        assertThat(run("--hook-command", mine.toString())).isZero();
        assertThat(Files.readString(mine)).isEqualTo("#!/bin/sh\nexec my-wrapper\n");
        assertThat(commands(read(), "Stop")).containsExactly(mine.toString());
    }

    @Test
    void recognisesOurCommandOnlyByItsProgramName() {
        assertThat(InstallHooks.isOurs("/x/agentd-hook --listen 127.0.0.1:1")).isTrue();
        assertThat(InstallHooks.isOurs("'/my dir/agentd-hook'")).isTrue();
        assertThat(InstallHooks.isOurs("agentd-hook")).isTrue();
        assertThat(InstallHooks.isOurs("/x/agentd-hook-old")).isFalse();
        assertThat(InstallHooks.isOurs("echo agentd-hook")).isFalse();
        assertThat(InstallHooks.command(Path.of("/my dir/agentd-hook"), null, null, 600))
                .isEqualTo("'/my dir/agentd-hook'");
    }

    @Test
    void newInstallsUseTheSocketAndReplaceAnOldListenInstall() throws Exception {
        Files.createDirectories(settings().getParent());
        assertThat(run("--listen", "127.0.0.1:7717")).isZero(); // what an older agentd installed
        String ours = home.resolve(".local/share/agentd/bin/agentd-hook").toString();
        assertThat(commands(read(), "Stop")).containsExactly(ours + " --listen 127.0.0.1:7717");
        assertThat(run("--socket", "/run/agentd/hooks.sock")).isZero();
        assertThat(commands(read(), "Stop")).containsExactly(ours + " --socket /run/agentd/hooks.sock");
        assertThat(commands(read(), "PermissionRequest")).containsExactly(ours + " --socket /run/agentd/hooks.sock");
        assertThat(run()).isZero(); // no option: the script finds agentd's default socket itself
        assertThat(commands(read(), "Stop")).containsExactly(ours);
        assertThat(Files.readString(Path.of(ours))).contains("--unix-socket");
    }

    @Test
    void socketAndListenAreExclusiveAndTheSocketMustBeUsable() throws Exception {
        assertThat(run("--socket", "/run/a/hooks.sock", "--listen", "127.0.0.1:7717")).isEqualTo(2);
        assertThat(err.toString()).contains("give one");
        assertThat(run("--socket", "relative/hooks.sock")).isEqualTo(2);
        assertThat(run("--socket", "/" + "d".repeat(120) + "/hooks.sock")).isEqualTo(2);
        assertThat(err.toString()).contains("hooks.socket").contains("at most 107");
        assertThat(Files.exists(settings())).isFalse();
    }

    @Test
    void anOlderScriptIsReplacedByTheSocketAwareOne() throws Exception {
        Path script = home.resolve(".local/share/agentd/bin/agentd-hook");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/usr/bin/env bash\n# Marker for install-hooks (do not remove): agentd-hook-script v1\n"
                + "curl http://127.0.0.1:7717/hooks/claude\n");
        assertThat(run()).isZero();
        assertThat(Files.readString(script)).contains("agentd-hook-script v2").contains("--unix-socket");
    }
}
