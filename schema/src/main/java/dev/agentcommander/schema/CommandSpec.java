package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A command for a host, typed and validated. REST bodies and agent-link {@code command.args} are the same flat
 * object; both sides parse them here, so the control plane refuses what agentd would refuse before anything is
 * stored, and agentd refuses it again rather than trusting the link. Nothing here is ever passed to a shell.
 */
public sealed interface CommandSpec {
    /** Every command name, as on the wire. */
    Set<String> NAMES = Set.of("send_input", "send_keys", "interrupt", "kill_session", "console.subscribe",
            "console.unsubscribe", "adopt_pane", "rename_session", "spawn_session", "spawn_job", "cancel_job");

    /** Commands that act on an existing session and so need {@code session_id}. */
    Set<String> SESSION_COMMANDS = Set.of("send_input", "send_keys", "interrupt", "kill_session",
            "console.subscribe", "console.unsubscribe", "rename_session", "cancel_job");

    int MAX_TEXT = 64 * 1024;
    int MAX_KEYS = 64;

    String name();

    record SendInput(String sessionId, String text, boolean submit) implements CommandSpec {
        public String name() {
            return "send_input";
        }
    }

    record SendKeys(String sessionId, List<String> keys) implements CommandSpec {
        public String name() {
            return "send_keys";
        }
    }

    record Interrupt(String sessionId) implements CommandSpec {
        public String name() {
            return "interrupt";
        }
    }

    record KillSession(String sessionId) implements CommandSpec {
        public String name() {
            return "kill_session";
        }
    }

    record ConsoleSubscribe(String sessionId, String subscriptionId) implements CommandSpec {
        public String name() {
            return "console.subscribe";
        }
    }

    record ConsoleUnsubscribe(String sessionId, String subscriptionId) implements CommandSpec {
        public String name() {
            return "console.unsubscribe";
        }
    }

    record AdoptPane(String paneId) implements CommandSpec {
        public String name() {
            return "adopt_pane";
        }
    }

    record RenameSession(String sessionId, String newName) implements CommandSpec {
        public String name() {
            return "rename_session";
        }
    }

    record SpawnSession(String repoPath, String branch, String worktreeName, Provider provider, String prompt)
            implements CommandSpec {
        public String name() {
            return "spawn_session";
        }
    }

    /**
     * A headless Codex job. {@code prompt} goes to Codex on stdin, never in argv, so it may start with {@code -};
     * {@code sandbox} is {@code read-only}, {@code workspace-write} (the default) or {@code danger-full-access}
     * (refused by agentd unless its host allows it); {@code approvals} is {@code never} (the default: {@code codex
     * exec}, which never asks) or {@code ask}. {@code jobName} is {@code name} on the wire.
     */
    record SpawnJob(String cwd, String prompt, String jobName, String sandbox, String model, String resumeThreadId,
                    String approvals) implements CommandSpec {
        /** The sandboxes Codex knows, as its {@code --sandbox} values. */
        public static final Set<String> SANDBOXES = Set.of("read-only", "workspace-write", "danger-full-access");
        public static final String DEFAULT_SANDBOX = "workspace-write";
        public static final String FULL_ACCESS = "danger-full-access";
        public static final Set<String> APPROVALS = Set.of("never", "ask");

        public SpawnJob(String cwd, String prompt) {
            this(cwd, prompt, null, DEFAULT_SANDBOX, null, null, "never");
        }

        public String name() {
            return "spawn_job";
        }
    }

    record CancelJob(String sessionId) implements CommandSpec {
        public String name() {
            return "cancel_job";
        }
    }

    /**
     * Parses a flat command object. {@code name} may be null when the body carries it as {@code type} (REST).
     *
     * @throws ProtocolException INVALID naming the offending field
     */
    static CommandSpec parse(String name, JsonNode args) {
        if (args == null || !args.isObject()) {
            throw CommandArgs.invalid("body", "must be a JSON object");
        }
        String n = name != null ? name : CommandArgs.text(args, "type", true);
        if (!NAMES.contains(n)) {
            throw new ProtocolException(ProtocolException.Code.UNKNOWN_TYPE, "unknown command type: " + n);
        }
        CommandArgs a = new CommandArgs(args);
        String sid = SESSION_COMMANDS.contains(n) ? a.id("session_id") : null;
        return switch (n) {
            case "send_input" -> new SendInput(sid, a.bounded("text", MAX_TEXT, true, true), a.bool("submit"));
            case "send_keys" -> new SendKeys(sid, a.keys());
            case "interrupt" -> new Interrupt(sid);
            case "kill_session" -> new KillSession(sid);
            case "console.subscribe" -> new ConsoleSubscribe(sid, a.id("subscription_id"));
            case "console.unsubscribe" -> new ConsoleUnsubscribe(sid, a.id("subscription_id"));
            case "adopt_pane" -> new AdoptPane(a.paneId());
            case "rename_session" -> new RenameSession(sid, a.bounded("name", 64, true, false));
            case "spawn_session" -> new SpawnSession(a.absolutePath("repo_path"), a.branch(),
                    a.worktreeName(), a.provider(), a.prompt(false));
            case "spawn_job" -> new SpawnJob(a.absolutePath("cwd"), a.bounded("prompt", MAX_TEXT, true, true),
                    a.bounded("name", 64, false, false), a.oneOf("sandbox", SpawnJob.SANDBOXES,
                    SpawnJob.DEFAULT_SANDBOX), a.word("model"), a.word("resume_thread_id"),
                    a.oneOf("approvals", SpawnJob.APPROVALS, "never"));
            case "cancel_job" -> new CancelJob(sid);
            default -> throw new IllegalStateException(n);
        };
    }

    /** The flat wire form ({@code command.args}) of this command, without {@code type}. */
    default ObjectNode toArgs() {
        ObjectNode o = Json.mapper().valueToTree(this);
        if (this instanceof RenameSession r) {
            o.remove("new_name");
            o.put("name", r.newName());
        }
        if (this instanceof SpawnJob j) {
            o.remove("job_name");
            if (j.jobName() != null) {
                o.put("name", j.jobName());
            }
        }
        return o;
    }

    /** Whether {@code key} is a tmux key name we let people send. */
    static boolean allowedKey(String key) {
        return CommandArgs.allowedKey(key);
    }

    /** Copy helper for callers that build key lists. */
    static List<String> keys(String... keys) {
        return new ArrayList<>(List.of(keys));
    }
}
