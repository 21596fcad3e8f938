package dev.agentcommander.agentd.config;

import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.approvals.TimeoutAction;
import dev.agentcommander.agentd.hooks.HookSocket;
import dev.agentcommander.agentd.hooks.ListenAddress;
import dev.agentcommander.schema.log.LogLines;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns parsed values into a {@link Config}: defaults from {@link Option}, checks of meaning, the token file. */
final class ConfigBuilder {
    private final Map<Option, Object> values;
    private final Map<String, String> env;

    ConfigBuilder(Map<Option, Object> values, Map<String, String> env) {
        this.values = values;
        this.env = env;
    }

    /** At most this many URLs in {@code control_plane.url}. */
    static final int MAX_URLS = 16;

    /**
     * The URLs of {@code control_plane.url}: one {@code ws://} or {@code wss://} URL, or several separated by commas
     * (tried in order, the next one when a connection attempt fails). Empty entries and repeats are errors.
     */
    static List<URI> urls(String text) {
        List<URI> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String one = part.strip();
            if (one.isEmpty()) {
                throw new ConfigException("control_plane.url: an empty URL in the list (got \"" + text + "\")");
            }
            URI u;
            try {
                u = new URI(one);
            } catch (URISyntaxException e) {
                throw new ConfigException("control_plane.url: not a URL: " + e.getMessage());
            }
            if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme()) || u.getHost() == null) {
                throw new ConfigException("control_plane.url: must be a ws:// or wss:// URL (got " + one + ")");
            }
            if (out.contains(u)) {
                throw new ConfigException("control_plane.url: " + one + " is listed twice");
            }
            out.add(u);
        }
        if (out.size() > MAX_URLS) {
            throw new ConfigException("control_plane.url: at most " + MAX_URLS + " URLs, got " + out.size());
        }
        return List.copyOf(out);
    }

    Config build() {
        String url = str(Option.CONTROL_PLANE_URL);
        List<URI> all = urls(url);
        boolean fileGiven = values.containsKey(Option.CONTROL_PLANE_TOKEN_FILE);
        Path tokenFile = Path.of(str(Option.CONTROL_PLANE_TOKEN_FILE));
        String token = str(Option.CONTROL_PLANE_TOKEN).trim();
        if (token.isEmpty()) {
            token = readToken(tokenFile, fileGiven);
        }
        String caText = str(Option.CONTROL_PLANE_CA_FILE);
        Path caFile = caText.isBlank() ? null : absolute(Option.CONTROL_PLANE_CA_FILE, caText);
        if (caFile != null && all.stream().anyMatch(u -> !"wss".equals(u.getScheme()))) {
            throw new ConfigException("control_plane.ca_file: set, but control_plane.url is not wss:// (got " + url
                    + "): a CA file is for a control plane that serves TLS");
        }
        List<X509Certificate> cas = caFile == null ? List.of() : TrustFile.read(caFile);
        String hostName = str(Option.HOST_NAME);
        if (hostName.isBlank()) {
            hostName = ConfigLoader.localHostName(env);
        }
        String bin = nonEmpty(Option.TMUX_BIN);
        String stateDir = str(Option.STORAGE_STATE_DIR);
        Path state = stateDir.isBlank() ? defaultStateDir(env) : absolute(Option.STORAGE_STATE_DIR, stateDir);
        String socketText = str(Option.HOOKS_SOCKET);
        Path socket = socketText.isBlank() ? state.resolve("hooks.sock") : absolute(Option.HOOKS_SOCKET, socketText);
        Optional<ListenAddress> listen;
        ApprovalMode mode;
        TimeoutAction timeoutAction;
        LogLines.Format logFormat;
        try {
            HookSocket.checkPath(socket);
            String listenText = str(Option.HOOKS_LISTEN);
            listen = listenText.isBlank() ? Optional.empty() : Optional.of(ListenAddress.parse(listenText));
            mode = ApprovalMode.parse(str(Option.APPROVALS_MODE));
            timeoutAction = TimeoutAction.parse(str(Option.APPROVALS_TIMEOUT_ACTION));
            logFormat = LogLines.Format.parse(Option.LOG_FORMAT.path(), str(Option.LOG_FORMAT));
        } catch (IllegalArgumentException e) { // each names its key
            throw new ConfigException(e.getMessage());
        }
        String wtRoot = str(Option.GIT_WORKTREE_ROOT);
        return new Config(
                new Config.ControlPlane(url, token, tokenFile, caFile, cas),
                hostName,
                new Config.Tmux(bin, str(Option.TMUX_SOCKET), num(Option.TMUX_POLL_INTERVAL_MS)),
                new Config.Storage(state, (Long) value(Option.STORAGE_OUTBOX_MAX_BYTES)),
                new Config.Hooks(socket, listen),
                new Config.Approvals(mode, num(Option.APPROVALS_TIMEOUT_SECONDS), timeoutAction),
                new Config.Providers(nonEmpty(Option.PROVIDERS_CLAUDE_EXEC_PATH),
                        nonEmpty(Option.PROVIDERS_CODEX_EXEC_PATH), num(Option.PROVIDERS_CODEX_MAX_JOBS),
                        (Boolean) value(Option.PROVIDERS_CODEX_ALLOW_FULL_ACCESS)),
                new Config.Git(num(Option.GIT_METADATA_TTL_SECONDS),
                        wtRoot.isBlank() ? null : absolute(Option.GIT_WORKTREE_ROOT, wtRoot)),
                new Config.Link(num(Option.LINK_WINDOW)),
                new Config.Log(logFormat));
    }

    private static String readToken(Path file, boolean fileGiven) {
        if (!Files.exists(file)) {
            if (fileGiven) {
                throw new ConfigException("control_plane.token_file: " + file + " does not exist");
            }
            return "";
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ConfigException("control_plane.token_file: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** /var/lib/agentd for root or a systemd service; else the XDG state directory of the user. */
    static Path defaultStateDir(Map<String, String> env) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root || env.containsKey("INVOCATION_ID")) {
            return Path.of("/var/lib/agentd");
        }
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg, "agentd");
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".local", "state", "agentd");
    }

    private static Path absolute(Option o, String v) {
        Path p = Path.of(v);
        if (!p.isAbsolute()) {
            throw new ConfigException(o.path() + ": must be an absolute path (got " + v + ")");
        }
        return p.normalize();
    }

    /** The value given (file or environment), else the option's default. */
    private Object value(Option o) {
        return values.getOrDefault(o, o.defaultValue());
    }

    private String str(Option o) {
        return (String) value(o);
    }

    private String nonEmpty(Option o) {
        String v = str(o);
        if (v.isBlank()) {
            throw new ConfigException(o.path() + ": must not be empty");
        }
        return v;
    }

    private int num(Option o) {
        return (Integer) value(o);
    }
}
