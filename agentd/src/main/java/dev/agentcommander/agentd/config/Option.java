package dev.agentcommander.agentd.config;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key of {@code /etc/agentd/config.yaml}, declared once: its path, type, default, bounds and what it is for.
 * {@link ConfigLoader} walks the YAML and the {@code AGENTD_*} overrides by this table (so an unknown key is an
 * error), {@link ConfigBuilder} takes its defaults from it, and a test keeps systemd/config.yaml and the README's
 * table of keys equal to it. Adding a key here is the whole of declaring it.
 */
enum Option {
    CONTROL_PLANE_URL("control_plane.url", "ws://127.0.0.1:8080/v1/agent",
            "the control plane's agent WebSocket; `wss://` in production; several replicas without a load "
            + "balancer: comma-separated URLs, tried in turn"),
    CONTROL_PLANE_TOKEN("control_plane.token", "", "the host token inline; empty: read from `token_file`"),
    CONTROL_PLANE_TOKEN_FILE("control_plane.token_file", "/etc/agentd/token",
            "file holding the host token `POST /v1/hosts` returned"),
    CONTROL_PLANE_CA_FILE("control_plane.ca_file", "", "absolute; PEM file of the CA certificates a `wss://` "
            + "control plane may be signed by, besides the JVM's trust store; empty: that store only"),
    HOST_NAME("host_name", "", "this host's name on the dashboard; empty: the machine's hostname"),
    TMUX_BIN("tmux.bin", "tmux", "the tmux program"),
    TMUX_SOCKET("tmux.socket", "", "empty: the user's default tmux server; else a socket path (`tmux -S`)"),
    TMUX_POLL_INTERVAL_MS("tmux.poll_interval_ms", Kind.INT, 1000, 50, 60_000, "how often panes are listed"),
    STORAGE_STATE_DIR("storage.state_dir", "",
            "absolute; empty: `/var/lib/agentd` for root or under systemd, else `$XDG_STATE_HOME/agentd`"),
    STORAGE_OUTBOX_MAX_BYTES("storage.outbox_max_bytes", Kind.LONG, 1L << 30, 1L << 20, 1L << 40,
            "disk budget of the outbox; unacked console output is dropped first, never approvals or results"),
    LINK_WINDOW("link.window", Kind.INT, 1000, 1, 100_000,
            "unacked stored messages in flight to the control plane (console frames: 4× that)"),
    HOOKS_SOCKET("hooks.socket", "", "absolute; the Unix socket (0600, in a directory only agentd's user may enter)"
            + " where `agentd hook` delivers Claude Code hook events; empty: `<state_dir>/hooks.sock`"),
    HOOKS_LISTEN("hooks.listen", "", "opt-in loopback TCP `HOST:PORT` (`[::1]:PORT` for IPv6) for hooks that "
            + "cannot use the socket; empty: off (any local user and any web page can reach a TCP port)"),
    APPROVALS_MODE("approvals.mode", "hook", "`hook`, `keys` or `both`: how a decision reaches Claude Code"),
    APPROVALS_TIMEOUT_SECONDS("approvals.timeout_seconds", Kind.INT, 600, 1, 86_400,
            "then a request expires and Claude shows its own prompt"),
    APPROVALS_TIMEOUT_ACTION("approvals.timeout_action", "fallback", "what an expired hook request answers: "
            + "`fallback` nothing (Claude shows its own prompt) or `deny` (deny, message \"expired\")"),
    PROVIDERS_CLAUDE_EXEC_PATH("providers.claude.exec_path", "claude",
            "the program `spawn_session` starts for provider claude"),
    PROVIDERS_CODEX_EXEC_PATH("providers.codex.exec_path", "codex",
            "the program `spawn_session` and `spawn_job` start for provider codex"),
    PROVIDERS_CODEX_MAX_JOBS("providers.codex.max_jobs", Kind.INT, 4, 1, 256,
            "Codex jobs (`spawn_job`) running at once on this host; more wait in a queue (status `WAITING`)"),
    PROVIDERS_CODEX_ALLOW_FULL_ACCESS("providers.codex.allow_full_access", Kind.BOOL, false, 0, 0,
            "whether `spawn_job` may ask for `--sandbox danger-full-access`"),
    GIT_METADATA_TTL_SECONDS("git.metadata_ttl_seconds", Kind.INT, 30, 0, 3_600,
            "how long a pane's repository, branch and dirty flag are cached"),
    GIT_WORKTREE_ROOT("git.worktree_root", "", "absolute; where `spawn_session` adds worktrees; empty: "
            + "`<repo>/.worktrees`"),
    LOG_FORMAT("log.format", "text", "`text` or `json`: one line per record on stderr either way (JSON: `ts`, "
            + "`level`, `logger`, `message`, `thread`, `error`)");

    /** What a value is in YAML and in the environment. */
    public enum Kind { STRING, INT, LONG, BOOL }

    private static final Map<String, Option> BY_PATH = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Option::path, Function.identity()));

    private final String path;
    private final Kind kind;
    private final Object defaultValue;
    private final long min;
    private final long max;
    private final String doc;

    Option(String path, String defaultValue, String doc) {
        this(path, Kind.STRING, defaultValue, 0, 0, doc);
    }

    Option(String path, Kind kind, Object defaultValue, long min, long max, String doc) {
        this.path = path;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.doc = doc;
    }

    /** The key as written in YAML, dotted ({@code tmux.poll_interval_ms}). */
    public String path() {
        return path;
    }

    public Kind kind() {
        return kind;
    }

    /** The value when the key is absent: a String, Integer or Long after {@link #kind()}. */
    public Object defaultValue() {
        return defaultValue;
    }

    /** Bounds of a number (inclusive); unused for strings. */
    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    /** One line for people: what the key does, and what an empty default means. */
    public String doc() {
        return doc;
    }

    /** The environment variable that overrides it: {@code AGENTD_} + the path in upper snake case. */
    public String envName() {
        return ConfigLoader.envName(path);
    }

    /** The option at {@code path}, or null. */
    static Option byPath(String path) {
        return BY_PATH.get(path);
    }

    /** Whether {@code path} is a section holding options ({@code tmux}, {@code providers.codex}). */
    static boolean isSection(String path) {
        return BY_PATH.keySet().stream().anyMatch(k -> k.startsWith(path + "."));
    }
}
