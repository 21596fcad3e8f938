package dev.agentcommander.agentd.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code agentd install-hooks} left in one Claude Code settings file, read back the way it writes it: for each
 * event of {@link InstallHooks#EVENTS}, a hook whose program is {@code agentd-hook}. {@code agentd doctor} reports
 * from it; nothing here writes.
 *
 * @param missing  the events without our hook (all of them when the file or its {@code hooks} is absent)
 * @param commands our hook commands as written (normally one, for every event)
 * @param problem  why the file could not be read (not JSON, {@code hooks} not an object); empty when it could
 */
public record InstalledHooks(Path file, boolean exists, List<String> missing, Set<String> commands, String problem) {
    /** Claude Code's settings file of one scope: {@code ~/.claude/settings.json} or {@code DIR/.claude/settings.json}. */
    public static Path settingsFile(Path homeOrProject) {
        return homeOrProject.resolve(".claude/settings.json");
    }

    /** Reads {@code file}; never throws for its content (that is {@link #problem}). */
    public static InstalledHooks inspect(Path file) {
        if (!Files.isRegularFile(file)) {
            return new InstalledHooks(file, false, InstallHooks.EVENTS, Set.of(), "");
        }
        JsonNode root;
        try {
            String text = Files.readString(file);
            root = text.isBlank() ? JsonMapper.builder().build().createObjectNode()
                    : JsonMapper.builder().build().readTree(text);
        } catch (IOException e) {
            return new InstalledHooks(file, true, InstallHooks.EVENTS, Set.of(), "not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode hooks = root.path("hooks");
        if (!root.isObject() || !hooks.isMissingNode() && !hooks.isObject()) {
            return new InstalledHooks(file, true, InstallHooks.EVENTS, Set.of(), "\"hooks\" is not an object");
        }
        List<String> missing = new ArrayList<>();
        Set<String> commands = new LinkedHashSet<>();
        for (String event : InstallHooks.EVENTS) {
            boolean found = false;
            for (JsonNode group : hooks.path(event)) {
                for (JsonNode h : group.path("hooks")) {
                    String command = h.path("command").asText(null);
                    if (InstallHooks.isOurs(command)) {
                        found = true;
                        commands.add(command);
                    }
                }
            }
            if (!found) {
                missing.add(event);
            }
        }
        return new InstalledHooks(file, true, List.copyOf(missing), Set.copyOf(commands), "");
    }

    /** Every event install-hooks writes, in its order. */
    public static List<String> allEvents() {
        return InstallHooks.EVENTS;
    }

    /** Every event has our hook. */
    public boolean complete() {
        return problem.isEmpty() && missing.isEmpty();
    }

    /** The program of a hook command (its first word, quotes removed), as Claude Code's shell would run it. */
    public static String program(String command) {
        String c = command.strip();
        if (c.startsWith("'") || c.startsWith("\"")) {
            int end = c.indexOf(c.charAt(0), 1);
            return end < 0 ? c.substring(1) : c.substring(1, end);
        }
        int space = c.indexOf(' ');
        return space < 0 ? c : c.substring(0, space);
    }
}
