package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.e2e.realclients.FakeAnthropic.Turn;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One real Claude Code run as the recording tests use it: the fake API with a script, the recording hook on every
 * event that matters to agentd, Claude in its pane, and the scrubber that knows this run's paths and port.
 */
final class ClaudeScenario implements AutoCloseable {
    /** The hook events recorded: every one agentd uses or could use to follow a tool call. */
    static final String[] EVENTS = {"SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest",
        "PermissionDenied", "PostToolUse", "PostToolUseFailure", "Notification", "Stop"};

    final FakeAnthropic api;
    final RecordingHook hook;
    final ClaudeCode claude;
    final Scrub scrub;

    ClaudeScenario(Path dir, List<Turn> script, UnaryOperator<ClaudeCode.Builder> options) {
        this.api = new FakeAnthropic();
        this.hook = new RecordingHook(dir.resolve("hook"));
        api.then(script.toArray(Turn[]::new));
        ClaudeCode started = null;
        try {
            started = options.apply(ClaudeCode.in(dir.resolve("claude"), api).record(hook, EVENTS)).start();
        } finally {
            if (started == null) {
                hook.close();
                api.close();
            }
        }
        this.claude = started;
        this.scrub = new Scrub().path(claude.repo().toString(), "<repo>")
                .path(claude.configDir().toString(), "<config>")
                .path(dir.toString(), "<tmp>").origin(api.origin());
    }

    ClaudeScenario(Path dir, List<Turn> script) {
        this(dir, script, b -> b);
    }

    JsonNode scrubbed(RecordingHook.Call call) {
        return scrub.json(call.payload());
    }

    /** The settled permission dialog, scrubbed. */
    String dialog() {
        return scrub.text(claude.settledDialog());
    }

    @Override
    public void close() {
        try {
            claude.close();
        } finally {
            hook.close();
            api.close();
        }
    }
}
