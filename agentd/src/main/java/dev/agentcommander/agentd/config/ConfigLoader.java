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
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@link Config} from YAML plus {@code AGENTD_*} environment overrides. Strict on purpose: a typo in a key
 * would otherwise silently fall back to a default on a machine nobody watches, so every unknown key and every bad
 * value is an error naming its full key path. The tree is walked by hand (not bound) so the path is always exact;
 * what a key is, is in {@link Option}.
 */
public final class ConfigLoader {
    public static final Path DEFAULT_FILE = Path.of("/etc/agentd/config.yaml");
    /** The config's name in a user's own config directory ({@link #userFile}). */
    public static final String USER_FILE = "agentd/config.yaml";

    private final Map<String, String> env;

    /** @param env the process environment (tests pass their own map) */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * Where a user's own config lives: {@code $XDG_CONFIG_HOME/agentd/config.yaml}, by default
     * {@code ~/.config/agentd/config.yaml}. {@code agentd enroll} writes it when not run as root, so a developer
     * can enroll a box without root; {@link #defaultFile} reads it before {@link #DEFAULT_FILE}.
     */
    public static Path userFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg).resolve(USER_FILE);
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config").resolve(USER_FILE);
    }

    /**
     * The config read without {@code --config}: for root {@link #DEFAULT_FILE}; for anyone else their
     * {@link #userFile} when it exists, else {@link #DEFAULT_FILE}.
     */
    public static Path defaultFile(Map<String, String> env, String user) {
        if (!"root".equals(user)) {
            Path own = userFile(env);
            if (Files.isRegularFile(own)) {
                return own;
            }
        }
        return DEFAULT_FILE;
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
        Map<Option, Object> values = new EnumMap<>(Option.class);
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
        for (Option o : Option.values()) {
            String v = env.get(o.envName());
            if (v != null) {
                values.put(o, fromText(o, v, o.envName() + " → "));
            }
        }
        return new ConfigBuilder(values, env).build();
    }

    private void walk(JsonNode node, String prefix, Map<Option, Object> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String path = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
            JsonNode v = f.getValue();
            Option option = Option.byPath(path);
            if (option != null) {
                if (!v.isNull()) {
                    out.put(option, fromNode(option, v));
                }
            } else if (Option.isSection(path)) {
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

    private static Object fromNode(Option o, JsonNode v) {
        return switch (o.kind()) {
            case STRING -> {
                if (!v.isTextual()) {
                    throw new ConfigException(o.path() + ": must be a string (got " + v + ")");
                }
                yield v.asText();
            }
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw new ConfigException(o.path() + ": must be true or false (got " + v + ")");
                }
                yield v.booleanValue();
            }
            case INT, LONG -> {
                if (!v.isIntegralNumber()) {
                    throw new ConfigException(o.path() + ": must be an integer (got " + v + ")");
                }
                yield range(o, v.asLong(), "");
            }
        };
    }

    private static Object fromText(Option o, String text, String from) {
        if (o.kind() == Option.Kind.STRING) {
            return text;
        }
        if (o.kind() == Option.Kind.BOOL) {
            return switch (text.trim()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigException(from + o.path() + ": must be true or false (got \"" + text
                        + "\")");
            };
        }
        try {
            return range(o, Long.parseLong(text.trim()), from);
        } catch (NumberFormatException e) {
            throw new ConfigException(from + o.path() + ": must be an integer (got \"" + text + "\")");
        }
    }

    private static Object range(Option o, long v, String from) {
        if (v < o.min() || v > o.max()) {
            throw new ConfigException(from + o.path() + ": must be between " + o.min() + " and " + o.max()
                    + " (got " + v + ")");
        }
        return o.kind() == Option.Kind.INT ? (Object) (int) v : (Object) v;
    }

    /** This machine's host name, for the {@code host_name} default (and {@code agentd enroll}'s). */
    public static String localHostName(Map<String, String> env) {
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
