package dev.agentcommander.agentd.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@link Config} from YAML plus {@code AGENTD_*} environment overrides. Strict on purpose: a typo in a key
 * would otherwise silently fall back to a default on a machine nobody watches, so every unknown key and every bad
 * value is an error naming its full key path. The tree is walked by hand (not bound) so the path is always exact.
 */
public final class ConfigLoader {
    public static final Path DEFAULT_FILE = Path.of("/etc/agentd/config.yaml");

    private enum Kind { STRING, INT, LONG }

    private record Leaf(Kind kind, long min, long max) {
    }

    private static final Map<String, Leaf> LEAVES = new LinkedHashMap<>();

    static {
        LEAVES.put("control_plane.url", str());
        LEAVES.put("control_plane.token", str());
        LEAVES.put("control_plane.token_file", str());
        LEAVES.put("host_name", str());
        LEAVES.put("tmux.bin", str());
        LEAVES.put("tmux.socket", str());
        LEAVES.put("tmux.poll_interval_ms", new Leaf(Kind.INT, 50, 60_000));
        LEAVES.put("storage.state_dir", str());
        LEAVES.put("storage.outbox_max_bytes", new Leaf(Kind.LONG, 1L << 20, 1L << 40));
        LEAVES.put("hooks.listen", str());
        LEAVES.put("approvals.mode", str());
        LEAVES.put("approvals.timeout_seconds", new Leaf(Kind.INT, 1, 86_400));
        LEAVES.put("providers.claude.exec_path", str());
        LEAVES.put("providers.codex.exec_path", str());
        LEAVES.put("git.metadata_ttl_seconds", new Leaf(Kind.INT, 0, 3_600));
        LEAVES.put("git.worktree_root", str());
        LEAVES.put("link.window", new Leaf(Kind.INT, 1, 100_000));
    }

    private static Leaf str() {
        return new Leaf(Kind.STRING, 0, 0);
    }

    private final Map<String, String> env;

    /** @param env the process environment (tests pass their own map) */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The environment variable that overrides {@code path}: {@code AGENTD_} + upper snake case of the path. */
    public static String envName(String path) {
        return "AGENTD_" + path.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Loads {@code file}; when {@code explicit} is false a missing file means "all defaults" (the daemon runs
     * with environment overrides only).
     */
    public Config load(Path file, boolean explicit) {
        if (!Files.exists(file)) {
            if (explicit) {
                throw new ConfigException(file + ": config file not found");
            }
            return parse("");
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses YAML text (empty = all defaults), applies environment overrides and validates. */
    public Config parse(String yaml) {
        Map<String, Object> values = new LinkedHashMap<>();
        JsonNode root;
        try {
            YAMLMapper mapper = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
            root = yaml.isBlank() ? null : mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config: not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root != null && !root.isNull() && !root.isMissingNode()) {
            if (!root.isObject()) {
                throw new ConfigException("config: the top level must be a mapping of keys");
            }
            walk(root, "", values);
        }
        for (Map.Entry<String, Leaf> e : LEAVES.entrySet()) {
            String v = env.get(envName(e.getKey()));
            if (v != null) {
                values.put(e.getKey(), fromText(e.getKey(), e.getValue(), v, envName(e.getKey()) + " → "));
            }
        }
        return new ConfigBuilder(values, env).build();
    }

    private void walk(JsonNode node, String prefix, Map<String, Object> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String path = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
            JsonNode v = f.getValue();
            Leaf leaf = LEAVES.get(path);
            if (leaf != null) {
                if (!v.isNull()) {
                    out.put(path, fromNode(path, leaf, v));
                }
            } else if (LEAVES.keySet().stream().anyMatch(k -> k.startsWith(path + "."))) {
                if (v.isNull()) {
                    continue;
                }
                if (!v.isObject()) {
                    throw new ConfigException(path + ": must be a mapping of keys");
                }
                walk(v, path, out);
            } else {
                throw new ConfigException(path + ": unknown key");
            }
        }
    }

    private static Object fromNode(String path, Leaf leaf, JsonNode v) {
        return switch (leaf.kind) {
            case STRING -> {
                if (!v.isTextual()) {
                    throw new ConfigException(path + ": must be a string (got " + v + ")");
                }
                yield v.asText();
            }
            case INT, LONG -> {
                if (!v.isIntegralNumber()) {
                    throw new ConfigException(path + ": must be an integer (got " + v + ")");
                }
                yield range(path, leaf, v.asLong(), "");
            }
        };
    }

    private static Object fromText(String path, Leaf leaf, String text, String from) {
        if (leaf.kind == Kind.STRING) {
            return text;
        }
        try {
            return range(path, leaf, Long.parseLong(text.trim()), from);
        } catch (NumberFormatException e) {
            throw new ConfigException(from + path + ": must be an integer (got \"" + text + "\")");
        }
    }

    private static Object range(String path, Leaf leaf, long v, String from) {
        if (v < leaf.min || v > leaf.max) {
            throw new ConfigException(from + path + ": must be between " + leaf.min + " and " + leaf.max
                    + " (got " + v + ")");
        }
        return leaf.kind == Kind.INT ? (Object) (int) v : (Object) v;
    }

    /** This machine's host name, for the {@code host_name} default. */
    static String localHostName(Map<String, String> env) {
        try {
            String etc = Files.readString(Path.of("/etc/hostname")).trim();
            if (!etc.isEmpty()) {
                return etc;
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through to the other sources
        }
        String h = env.get("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
