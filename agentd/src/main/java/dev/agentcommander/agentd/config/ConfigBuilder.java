package dev.agentcommander.agentd.config;

import dev.agentcommander.agentd.approvals.ApprovalMode;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Turns validated raw values into a {@link Config}: defaults, cross-field checks, the token file. */
final class ConfigBuilder {
    static final Path DEFAULT_TOKEN_FILE = Path.of("/etc/agentd/token");
    static final long DEFAULT_OUTBOX_MAX_BYTES = 1L << 30;

    private final Map<String, Object> values;
    private final Map<String, String> env;

    ConfigBuilder(Map<String, Object> values, Map<String, String> env) {
        this.values = values;
        this.env = env;
    }

    Config build() {
        String url = str("control_plane.url", "ws://127.0.0.1:8080/v1/agent");
        try {
            URI u = new URI(url);
            if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme()) || u.getHost() == null) {
                throw new ConfigException("control_plane.url: must be a ws:// or wss:// URL (got " + url + ")");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException("control_plane.url: not a URL: " + e.getMessage());
        }
        String inline = str("control_plane.token", "");
        boolean fileGiven = values.containsKey("control_plane.token_file");
        Path tokenFile = Path.of(str("control_plane.token_file", DEFAULT_TOKEN_FILE.toString()));
        String token = inline.trim();
        if (token.isEmpty()) {
            token = readToken(tokenFile, fileGiven);
        }
        String hostName = str("host_name", "");
        if (hostName.isBlank()) {
            hostName = ConfigLoader.localHostName(env);
        }
        String bin = str("tmux.bin", "tmux");
        if (bin.isBlank()) {
            throw new ConfigException("tmux.bin: must not be empty");
        }
        String listen = str("hooks.listen", "127.0.0.1:7717");
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException("hooks.listen: must be HOST:PORT (got " + listen + ")");
        }
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("hooks.listen: port must be a number (got " + listen + ")");
        }
        if (port < 0 || port > 65_535) {
            throw new ConfigException("hooks.listen: port must be 0..65535 (got " + port + ")");
        }
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            throw new ConfigException("hooks.listen: must be a loopback address (127.0.0.1, ::1 or localhost)");
        }
        String modeText = str("approvals.mode", "hook");
        ApprovalMode mode;
        try {
            mode = ApprovalMode.parse(modeText);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        String stateDir = str("storage.state_dir", "");
        Path state = stateDir.isBlank() ? defaultStateDir(env) : absolute("storage.state_dir", stateDir);
        String wtRoot = str("git.worktree_root", "");
        return new Config(
                new Config.ControlPlane(url, token, tokenFile),
                hostName,
                new Config.Tmux(bin, str("tmux.socket", ""), num("tmux.poll_interval_ms", 1000)),
                new Config.Storage(state, values.containsKey("storage.outbox_max_bytes")
                        ? (Long) values.get("storage.outbox_max_bytes") : DEFAULT_OUTBOX_MAX_BYTES),
                new Config.Hooks(host, port),
                new Config.Approvals(mode, num("approvals.timeout_seconds", 600)),
                new Config.Providers(nonEmpty("providers.claude.exec_path", "claude"),
                        nonEmpty("providers.codex.exec_path", "codex")),
                new Config.Git(num("git.metadata_ttl_seconds", 30),
                        wtRoot.isBlank() ? null : absolute("git.worktree_root", wtRoot)),
                new Config.Link(num("link.window", 1000)));
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

    private static Path absolute(String key, String v) {
        Path p = Path.of(v);
        if (!p.isAbsolute()) {
            throw new ConfigException(key + ": must be an absolute path (got " + v + ")");
        }
        return p.normalize();
    }

    private String str(String key, String def) {
        Object v = values.get(key);
        return v == null ? def : (String) v;
    }

    private String nonEmpty(String key, String def) {
        String v = str(key, def);
        if (v.isBlank()) {
            throw new ConfigException(key + ": must not be empty");
        }
        return v;
    }

    private int num(String key, int def) {
        Object v = values.get(key);
        return v == null ? def : (Integer) v;
    }

}
