package dev.agentcommander.agentd.hooks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code agentd install-hooks}: merges our hook into Claude Code's settings.json (with {@code --provider codex}:
 * Codex's hooks.json, same shape, see {@link CodexHooks}) for every event we listen to,
 * leaving the user's own hooks and settings alone. Ours are recognised by the command's program name
 * ({@code agentd-hook}), so running it again replaces rather than duplicates, and uninstall removes only ours.
 */
public final class InstallHooks {
    public static final List<String> EVENTS = List.of("PermissionRequest", "PreToolUse", "PostToolUse",
            "UserPromptSubmit", "Notification", "Stop", "SubagentStop", "SessionStart", "SessionEnd");
    /** Events whose matcher is a tool name: "*" = every tool. The others match on other things or not at all,
     * and an omitted matcher means "all" for every event. */
    static final Set<String> TOOL_EVENTS = Set.of("PermissionRequest", "PreToolUse", "PostToolUse");
    static final String SCRIPT_NAME = "agentd-hook";
    static final String SCRIPT_MARKER = "agentd-hook-script";
    static final int OTHER_EVENT_TIMEOUT = 30;
    private static final String USAGE = "usage: agentd install-hooks [--scope user|project] [--project-dir DIR] "
            + "[--dry-run] [--uninstall] [--hook-command PATH] [--socket PATH | --listen HOST:PORT] "
            + "[--approval-timeout SECONDS] [--provider claude|codex]";

    private final Path home;
    private final Path cwd;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final ObjectMapper json = JsonMapper.builder().build();

    public InstallHooks(Path home, Path cwd, Map<String, String> env, PrintStream out, PrintStream err) {
        this.home = home;
        this.cwd = cwd;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** The real user's home, working directory and environment, printing to stdout/stderr. */
    public static InstallHooks fromEnvironment() {
        return new InstallHooks(Path.of(System.getProperty("user.home")), Path.of("").toAbsolutePath(),
                System.getenv(), System.out, System.err);
    }

    /** Runs the subcommand; returns the process exit code (0 done, 1 failed, 2 usage). */
    public int run(List<String> args) {
        String scope = "user";
        Path projectDir = cwd;
        boolean dryRun = false;
        boolean uninstall = false;
        Path hookCommand = defaultHookPath();
        String socket = null;
        String listen = null;
        int approvalTimeout = 600;
        String provider = "claude";
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--scope" -> scope = value(args, ++i, a);
                    case "--project-dir" -> projectDir = cwd.resolve(value(args, ++i, a));
                    case "--dry-run" -> dryRun = true;
                    case "--uninstall" -> uninstall = true;
                    case "--hook-command" -> hookCommand = cwd.resolve(value(args, ++i, a)).normalize();
                    case "--socket" -> {
                        Path p = Path.of(value(args, ++i, a));
                        HookSocket.checkPath(p);
                        socket = p.normalize().toString();
                    }
                    case "--listen" -> {
                        listen = ListenAddress.parse(value(args, ++i, a)).toString();
                    }
                    case "--approval-timeout" -> approvalTimeout = positive(value(args, ++i, a), a);
                    case "--provider" -> provider = value(args, ++i, a);
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (!scope.equals("user") && !scope.equals("project")) {
                throw new IllegalArgumentException("--scope must be user or project, not " + scope);
            }
            if (!provider.equals("claude") && !provider.equals("codex")) {
                throw new IllegalArgumentException("--provider must be claude or codex, not " + provider);
            }
            if (socket != null && listen != null) {
                throw new IllegalArgumentException("--socket and --listen name two ways to reach agentd; give one");
            }
        } catch (IllegalArgumentException e) {
            err.println("install-hooks: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        boolean codex = provider.equals("codex");
        Path settings = codex ? CodexHooks.file(scope.equals("user"), home, projectDir, env)
                : scope.equals("user") ? home.resolve(".claude/settings.json")
                : projectDir.resolve(".claude/settings.json");
        try {
            ObjectNode root = read(settings);
            String command = command(hookCommand, socket, listen, approvalTimeout);
            if (codex) {
                command += " --provider codex";
            }
            merge(root, command, approvalTimeout + 60, uninstall, codex ? CodexHooks.EVENTS : EVENTS);
            String text = pretty(root);
            if (dryRun) {
                out.print(text);
                return 0;
            }
            if (!uninstall) {
                writeScript(hookCommand);
            }
            if (Files.exists(settings) && Files.readString(settings).equals(text)) {
                out.println("install-hooks: " + settings + " already up to date");
                return 0;
            }
            writeAtomically(settings, text);
            out.println("install-hooks: " + (uninstall ? "removed agentd hooks from " : "installed agentd hooks in ")
                    + settings);
            return 0;
        } catch (IOException | IllegalStateException e) {
            err.println("install-hooks: " + e.getMessage() + " (" + settings + " not changed)");
            return 1;
        }
    }

    private Path defaultHookPath() {
        String data = env.get("XDG_DATA_HOME");
        Path base = data == null || data.isBlank() ? home.resolve(".local/share") : Path.of(data);
        return base.resolve("agentd/bin").resolve(SCRIPT_NAME);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int positive(String v, String option) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new IllegalArgumentException(option + " must be a positive number of seconds, not " + v);
    }

    /**
     * The command line Claude runs: our script, quoted for the shell Claude uses, plus its options. Without
     * {@code --socket} or {@code --listen} the script finds agentd's default socket itself.
     */
    static String command(Path script, String socket, String listen, int approvalTimeout) {
        StringBuilder sb = new StringBuilder(shellQuote(script.toString()));
        if (socket != null) {
            sb.append(" --socket ").append(shellQuote(socket));
        }
        if (listen != null) {
            sb.append(" --listen ").append(shellQuote(listen));
        }
        if (approvalTimeout != 600) {
            sb.append(" --timeout ").append(approvalTimeout);
        }
        return sb.toString();
    }

    private static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** Whether a hook command is ours: its program (first word, quotes removed) is named agentd-hook. */
    static boolean isOurs(String command) {
        if (command == null) {
            return false;
        }
        String program = InstalledHooks.program(command);
        return program.equals(SCRIPT_NAME) || program.endsWith("/" + SCRIPT_NAME);
    }

    /** Removes our entries from every event (dropping groups and events left empty), then adds ours unless uninstalling. */
    static void merge(ObjectNode root, String command, int permissionTimeout, boolean uninstall) {
        merge(root, command, permissionTimeout, uninstall, EVENTS);
    }

    /** As {@link #merge(ObjectNode, String, int, boolean)} for the hook events {@code events0} (Codex has fewer). */
    static void merge(ObjectNode root, String command, int permissionTimeout, boolean uninstall, List<String> events0) {
        JsonNode existing = root.get("hooks");
        if (existing != null && !existing.isObject()) {
            throw new IllegalStateException("\"hooks\" in settings is not an object");
        }
        ObjectNode hooks = existing == null ? root.objectNode() : (ObjectNode) existing;
        List<String> events = new ArrayList<>();
        hooks.fieldNames().forEachRemaining(events::add);
        for (String e : events0) {
            if (!events.contains(e)) {
                events.add(e);
            }
        }
        for (String event : events) {
            JsonNode groups = hooks.get(event);
            if (groups != null && !groups.isArray()) {
                throw new IllegalStateException("\"hooks." + event + "\" in settings is not an array");
            }
            ArrayNode kept = root.arrayNode();
            if (groups != null) {
                for (JsonNode group : groups) {
                    JsonNode cleaned = withoutOurs(group);
                    if (cleaned != null) {
                        kept.add(cleaned);
                    }
                }
            }
            if (!uninstall && events0.contains(event)) {
                ObjectNode ours = kept.addObject();
                if (TOOL_EVENTS.contains(event)) {
                    ours.put("matcher", "*");
                }
                ours.putArray("hooks").addObject().put("type", "command").put("command", command)
                        .put("timeout", event.equals("PermissionRequest") ? permissionTimeout : OTHER_EVENT_TIMEOUT);
            }
            if (kept.isEmpty() && groups != null && !groups.isEmpty()) {
                hooks.remove(event);
            } else if (!kept.isEmpty()) {
                hooks.set(event, kept);
            }
        }
        if (existing == null && !hooks.isEmpty()) {
            root.set("hooks", hooks);
        } else if (existing != null && hooks.isEmpty() && uninstall) {
            root.remove("hooks");
        }
    }

    /** The group without our hook entries; null when only ours were in it. Anything unexpected is kept as is. */
    private static JsonNode withoutOurs(JsonNode group) {
        JsonNode list = group.get("hooks");
        if (!group.isObject() || list == null || !list.isArray()) {
            return group;
        }
        ArrayNode kept = ((ArrayNode) list).arrayNode();
        boolean removed = false;
        for (JsonNode h : list) {
            if (isOurs(h.path("command").asText(null))) {
                removed = true;
            } else {
                kept.add(h);
            }
        }
        if (!removed) {
            return group;
        }
        if (kept.isEmpty()) {
            return null;
        }
        ObjectNode copy = ((ObjectNode) group).deepCopy();
        copy.set("hooks", kept);
        return copy;
    }

    private ObjectNode read(Path settings) throws IOException {
        if (!Files.exists(settings)) {
            return json.createObjectNode();
        }
        String text = Files.readString(settings);
        if (text.isBlank()) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("settings file is not valid JSON: " + e.getMessage());
        }
        if (!node.isObject()) {
            throw new IllegalStateException("settings file is not a JSON object");
        }
        return (ObjectNode) node;
    }

    String pretty(JsonNode root) throws IOException {
        return json.writer(new ClaudeStylePrinter()).writeValueAsString(root) + "\n";
    }

    private void writeScript(Path target) throws IOException {
        byte[] script;
        try (InputStream in = InstallHooks.class.getResourceAsStream(SCRIPT_NAME)) {
            if (in == null) {
                throw new IllegalStateException("the agentd-hook script is missing from the agentd jar");
            }
            script = in.readAllBytes();
        }
        if (Files.exists(target)) {
            String current = Files.readString(target, StandardCharsets.ISO_8859_1);
            if (!current.contains(SCRIPT_MARKER)) {
                out.println("install-hooks: " + target + " is not our script; left as it is");
                return;
            }
            if (java.util.Arrays.equals(script, Files.readAllBytes(target))) {
                return;
            }
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + SCRIPT_NAME, ".tmp");
        Files.write(tmp, script);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        move(tmp, target);
        out.println("install-hooks: wrote " + target);
    }

    private static void writeAtomically(Path settings, String text) throws IOException {
        Files.createDirectories(settings.getParent());
        Path bak = settings.resolveSibling(settings.getFileName() + ".bak");
        if (Files.exists(settings) && !Files.exists(bak)) {
            Files.copy(settings, bak, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path tmp = Files.createTempFile(settings.getParent(), ".settings", ".tmp");
        try {
            Files.writeString(tmp, text);
            if (Files.exists(settings)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(settings));
            }
            move(tmp, settings);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Two-space indent and {@code "key": value}, as Claude Code and people write settings.json. */
    private static final class ClaudeStylePrinter extends DefaultPrettyPrinter {
        ClaudeStylePrinter() {
            DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
            indentObjectsWith(indenter);
            indentArraysWith(indenter);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new ClaudeStylePrinter();
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }
    }
}
