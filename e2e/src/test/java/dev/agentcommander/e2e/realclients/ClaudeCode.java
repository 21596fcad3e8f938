package dev.agentcommander.e2e.realclients;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Real Claude Code in a private tmux pane, talking to a {@link FakeAnthropic}, in a fresh git repository, with a
 * config directory of its own that skips every first-run screen (docs/real-clients.md, "Running Claude Code
 * unattended"). Nothing of the developer's setup leaks in: HOME, CLAUDE_CONFIG_DIR and the tmux server are the
 * test's; the proxy variables point at a closed port, so a call that is not to the fake goes nowhere.
 */
public final class ClaudeCode implements AutoCloseable {
    /** A dummy key; Claude accepts it once its last 20 characters are in customApiKeyResponses.approved. */
    static final String API_KEY = "sk-ant-api03-agent-commander-e2e-dummy-key-0000000000AA";

    /**
     * The last line of every permission dialog of 2.1.328 ("Esc to cancel · Tab to amend"); the question above
     * differs per tool ("Do you want to proceed?", "Do you want to create notes.txt?").
     */
    public static final String DIALOG_MARK = "Esc to cancel";
    static final Duration DIALOG_SETTLE = Duration.ofMillis(700);

    private final Path repo;
    private final Path config;
    private final PrivateTmux tmux;
    private final String pane;

    private ClaudeCode(Builder b) {
        Path root = b.root;
        try {
            this.repo = FixedPaths.create("ac-claude-").resolve("repo");
            Files.createDirectories(repo);
            this.config = Files.createDirectories(root.resolve("claude-config"));
            Path home = Files.createDirectories(root.resolve("home"));
            GitRepo.init(repo);
            ClaudeConfig.write(config, repo, b, API_KEY);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.put("HOME", home.toString());
            env.put("SHELL", "/bin/bash");
            env.put("LANG", "C.UTF-8");
            env.put("TERM", "xterm-256color");
            env.put("ANTHROPIC_BASE_URL", b.api.origin());
            env.put("ANTHROPIC_API_KEY", API_KEY);
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            env.put("DISABLE_AUTOUPDATER", "1");
            env.put("CLAUDE_CONFIG_DIR", config.toString());
            env.put("HTTPS_PROXY", "http://127.0.0.1:9");
            env.put("HTTP_PROXY", "http://127.0.0.1:9");
            env.put("NO_PROXY", "127.0.0.1,localhost");
            env.putAll(b.env);
            List<String> argv = new ArrayList<>(List.of(RealClis.claude().toString()));
            argv.addAll(b.args);
            this.tmux = PrivateTmux.with(root.resolve("tmux")).onlyEnv(env).cwd(repo).size(b.cols, b.rows)
                    .remainOnExit().awaitExitOnClose().start(argv.toArray(String[]::new));
            this.pane = tmux.firstPane();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder in(Path dir, FakeAnthropic api) {
        return new Builder(dir, api);
    }

    /**
     * The git repository Claude runs in: {@code /tmp/ac-claude-<10 chars>/repo}, the same length on every machine
     * and checkout, because Claude's dialogs show it and wrap around it ("always allow access to <dir> from this
     * project"); a golden screen must wrap the same everywhere. Deleted on {@link #close()}.
     */
    public Path repo() {
        return repo;
    }

    /** CLAUDE_CONFIG_DIR: .claude.json, settings.json, projects/ (transcripts). */
    public Path configDir() {
        return config;
    }

    public String paneId() {
        return pane;
    }

    public Path tmuxSocket() {
        return Path.of(tmux.socket());
    }

    /** The visible screen ({@code capture-pane -p}) with non-breaking spaces (Claude draws "❯\u00a0") as spaces. */
    public String screen() {
        return tmux.screen(pane).replace('\u00a0', ' ');
    }

    /** Waits until the screen contains {@code text}; returns that screen. */
    public String awaitScreen(String text, Duration timeout) {
        return awaitScreen(s -> s.contains(text), "'" + text + "' on Claude's screen", timeout);
    }

    /** Waits until the screen no longer contains {@code text}; returns that screen. */
    public String awaitGone(String text, Duration timeout) {
        return awaitScreen(s -> !s.contains(text), "'" + text + "' to leave Claude's screen", timeout);
    }

    private String awaitScreen(Predicate<String> test, String what, Duration timeout) {
        return Await.value(what, timeout, () -> {
            String s = screen();
            return test.test(s) ? s : null;
        }, this::screen);
    }

    /**
     * The permission dialog once it has stopped changing for {@link #DIALOG_SETTLE}: Claude draws the dialog
     * first and fills in a diff a moment later (an Edit dialog shows "…" at first).
     */
    public String settledDialog() {
        String[] last = {null};
        long[] since = {System.nanoTime()};
        return Await.value("a settled permission dialog", Duration.ofSeconds(20), () -> {
            String d = Screens.dialog(screen());
            if (d == null || !d.equals(last[0])) {
                last[0] = d;
                since[0] = System.nanoTime();
                return null;
            }
            return System.nanoTime() - since[0] >= DIALOG_SETTLE.toNanos() ? d : null;
        }, this::screen);
    }

    /** Types a prompt into the input box, waits until it shows there, then presses Enter. */
    public void submit(String prompt) {
        tmux.type(pane, prompt);
        awaitScreen("❯ " + prompt, Duration.ofSeconds(10));
        tmux.keys(pane, "Enter");
    }

    /**
     * Answers the permission dialog at the pane as a person would: waits for it, lets it settle, presses
     * {@code keys}, and waits for it to go (or be replaced by another dialog). A key pressed in the first moments after the dialog is drawn only
     * moves its cursor (seen with TERM=screen, tmux's default; docs/real-clients.md), so this waits
     * {@link #DIALOG_SETTLE} first — a person is never that fast.
     */
    public void answerInPane(String... keys) {
        String dialog = Screens.dialog(awaitScreen(DIALOG_MARK, Duration.ofSeconds(20)));
        try {
            Thread.sleep(DIALOG_SETTLE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        tmux.keys(pane, keys);
        Await.value("the dialog to go after " + String.join(" ", keys), Duration.ofSeconds(10),
                () -> !dialog.equals(Screens.dialog(screen())), this::screen);
    }

    /** tmux key names, e.g. "1", "Enter", "Escape", "Down". */
    public void keys(String... keys) {
        tmux.keys(pane, keys);
    }

    public boolean exited() {
        return tmux.paneDead(pane);
    }

    @Override
    public void close() {
        try {
            tmux.close();
        } finally {
            FixedPaths.delete(repo.getParent());
        }
    }

    /** How to start it: permission mode, hooks (and their scope), extra environment, pane size. */
    public static final class Builder {
        final Path root;
        final FakeAnthropic api;
        String permissionMode = "default";
        boolean projectHooks;
        final Map<String, List<String>> hooks = new LinkedHashMap<>();
        final Map<String, String> env = new LinkedHashMap<>();
        final List<String> args = new ArrayList<>();
        int cols = 120;
        int rows = 40;

        private Builder(Path root, FakeAnthropic api) {
            this.root = root;
            this.api = api;
        }

        /** settings.json permissions.defaultMode: "default" (asks), "auto", "acceptEdits", "plan"… */
        public Builder permissionMode(String mode) {
            this.permissionMode = mode;
            return this;
        }

        /** Adds a command hook for {@code event} (no matcher: every tool). */
        public Builder hook(String event, String command) {
            hooks.computeIfAbsent(event, k -> new ArrayList<>()).add(command);
            return this;
        }

        /** Installs {@code recorder} for each of {@code events}. */
        public Builder record(RecordingHook recorder, String... events) {
            for (String e : events) {
                hook(e, recorder.command(e));
            }
            return this;
        }

        /** Puts the hooks in the project's .claude/settings.json instead of the user's settings.json. */
        public Builder projectHooks() {
            this.projectHooks = true;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder args(String... cliArgs) {
            args.addAll(List.of(cliArgs));
            return this;
        }

        public Builder size(int columns, int lines) {
            this.cols = columns;
            this.rows = lines;
            return this;
        }

        /** Starts Claude and waits for its input box. */
        public ClaudeCode start() {
            ClaudeCode c = new ClaudeCode(this);
            try {
                // the footer names the mode: "… mode on", "⏵⏵ accept edits on", "bypass permissions on"
                c.awaitScreen(t -> t.contains("mode on") || t.contains("accept edits on")
                        || t.contains("bypass permissions on"), "Claude's input box", Duration.ofSeconds(30));
            } catch (AssertionError e) {
                c.close();
                throw e;
            }
            return c;
        }
    }
}
