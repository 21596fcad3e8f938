package dev.agentcommander.agentd.doctor;

import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.hooks.InstalledHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What agentd drives besides tmux: Claude Code's hooks (user scope {@code ~/.claude/settings.json} and this
 * directory's project scope, as {@code agentd install-hooks} writes them), Codex at {@code providers.codex.exec_path}
 * and git. Without hooks, approvals in hook mode never reach the dashboard (Claude asks in the pane), so missing
 * hooks fail in that mode and only warn in keys mode.
 */
final class ToolChecks {
    private final Config config;
    private final Doctor.Host host;
    private final Programs programs;

    ToolChecks(Config config, Doctor.Host host, Programs programs) {
        this.config = config;
        this.host = host;
        this.programs = programs;
    }

    List<Check> claudeHooks() {
        InstalledHooks user = InstalledHooks.inspect(InstalledHooks.settingsFile(host.home()));
        InstalledHooks project = InstalledHooks.inspect(InstalledHooks.settingsFile(host.cwd()));
        boolean needed = config.approvals().mode() != ApprovalMode.KEYS;
        boolean anywhere = user.complete() || project.complete();
        String install = "agentd install-hooks (every project of " + host.user() + "), or agentd install-hooks --scope "
                + "project in a repository";
        Check u = scope("claude.hooks.user", user, anywhere, needed, install);
        Check p = scope("claude.hooks.project", project, true, needed, "agentd install-hooks --scope project in "
                + host.cwd());
        if (project.problem().isEmpty() && project.commands().isEmpty()) { // most projects have none of ours
            String seen = "agentd's hooks are not in " + project.file();
            p = user.complete() ? Check.ok("claude.hooks.project", seen + " (the user scope covers this project)")
                    : Check.warn("claude.hooks.project", seen + " either", install);
        }
        return List.of(u, p);
    }

    private Check scope(String name, InstalledHooks h, boolean coveredElsewhere, boolean needed, String install) {
        if (!h.problem().isEmpty()) {
            return Check.fail(name, h.file() + ": " + h.problem(), "repair " + h.file() + " (Claude Code ignores it "
                    + "too), then " + install);
        }
        for (String command : h.commands()) {
            Path program = Path.of(InstalledHooks.program(command));
            if (!Files.isExecutable(program)) {
                return Check.fail(name, h.file() + " runs " + program + ", which does not exist or is not "
                        + "executable", install + " (it writes the script again)");
            }
        }
        if (h.complete()) {
            return Check.ok(name, "agentd's hooks are in " + h.file());
        }
        if (!h.missing().equals(InstalledHooks.allEvents())) {
            return Check.warn(name, h.file() + " lacks agentd's hook for " + String.join(", ", h.missing()),
                    install + " (again: it adds the missing events)");
        }
        String seen = "agentd's hooks are not in " + h.file();
        if (coveredElsewhere) {
            return Check.warn(name, seen + " (another scope has them)", install);
        }
        return needed ? Check.fail(name, seen + ": permission requests stay in the pane instead of reaching the "
                + "dashboard", install) : Check.warn(name, seen + " (approvals.mode keys answers on screen)", install);
    }

    Check codex() {
        String exec = config.providers().codexExecPath();
        Optional<Path> bin = programs.find(exec);
        String fix = "install Codex (npm install -g @openai/codex) or set providers.codex.exec_path; only Codex "
                + "sessions and jobs need it";
        if (bin.isEmpty()) {
            return Check.warn("codex", "providers.codex.exec_path " + exec + " not found" + (exec.contains("/") ? ""
                    : " on PATH"), fix);
        }
        return version("codex", bin.get(), fix);
    }

    Check git() {
        Optional<Path> bin = programs.find("git");
        String fix = "install git (apt-get install git): without it panes show no repository or branch and "
                + "spawn_session cannot add worktrees";
        return bin.isEmpty() ? Check.warn("git", "git not found on PATH", fix) : version("git", bin.get(), fix);
    }

    private Check version(String name, Path bin, String fix) {
        try {
            Programs.Result r = programs.run(List.of(bin.toString(), "--version"));
            String first = r.output().lines().findFirst().orElse("");
            return r.exit() == 0 ? Check.ok(name, first + " at " + bin) : Check.warn(name, bin + " --version exited "
                    + r.exit() + ": " + first, fix);
        } catch (IOException e) {
            return Check.warn(name, "cannot run " + bin + ": " + e.getMessage(), fix);
        }
    }
}
