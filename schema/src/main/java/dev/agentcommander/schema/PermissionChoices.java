package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What each of Claude Code's {@code permission_suggestions} really does, in words an approver can trust. Claude
 * offers "always" choices that are not rules: for file commands only {@code addDirectories} (for this session;
 * the next identical call still asks) and {@code setMode acceptEdits} (the whole session stops asking for edits),
 * and for commands with {@code $(…)} nothing at all. So a choice is labelled from its {@code type},
 * {@code destination}, {@code rules}, {@code directories} and {@code mode}, and only an {@code addRules} allow whose
 * rule matches this very call says that this call will not ask again.
 *
 * <p>Each element of the result: {@code index} (into the suggestions; echo that element back to choose it),
 * {@code type}, {@code scope} ({@code session}, {@code project_local}, {@code project}, {@code user} or the raw
 * destination), {@code lasting} (survives the session), {@code stops_asking} (the next identical call runs without
 * asking), {@code label}.
 */
public final class PermissionChoices {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private PermissionChoices() {
    }

    /** The choices for {@code suggestions} (an array; anything else gives an empty array). */
    public static ArrayNode describe(String toolName, JsonNode toolInput, JsonNode suggestions) {
        ArrayNode out = F.arrayNode();
        if (suggestions == null || !suggestions.isArray()) {
            return out;
        }
        for (int i = 0; i < suggestions.size(); i++) {
            out.add(one(i, toolName, toolInput, suggestions.get(i)));
        }
        return out;
    }

    private static ObjectNode one(int index, String toolName, JsonNode toolInput, JsonNode s) {
        String type = s.path("type").asText("");
        String destination = s.path("destination").asText("");
        String scope = scope(destination);
        boolean lasting = !"session".equals(scope) && !scope.isEmpty();
        ObjectNode c = F.objectNode().put("index", index).put("type", type).put("scope", scope)
                .put("lasting", lasting);
        String where = where(scope, destination);
        boolean stops;
        String label;
        switch (type) {
            case "addRules" -> {
                List<String> rules = rules(s.path("rules"));
                boolean allow = "allow".equals(s.path("behavior").asText("allow"));
                stops = allow && rules.stream().anyMatch(r -> Rules.matches(r, toolName, toolInput));
                String verb = allow ? "Always allow" : "Always " + s.path("behavior").asText("?");
                label = verb + " " + String.join(", ", rules) + " " + where
                        + (allow && !stops ? " — this call does not match, it will still ask" : "");
            }
            case "replaceRules" -> {
                List<String> rules = rules(s.path("rules"));
                stops = "allow".equals(s.path("behavior").asText(""))
                        && rules.stream().anyMatch(r -> Rules.matches(r, toolName, toolInput));
                label = "Replace the " + s.path("behavior").asText("?") + " rules " + where + " with "
                        + String.join(", ", rules);
            }
            case "addDirectories" -> {
                stops = false;
                label = "Allow file access in " + String.join(", ", texts(s.path("directories"))) + " " + where
                        + " — this command will still ask";
            }
            case "removeDirectories" -> {
                stops = false;
                label = "Remove file access to " + String.join(", ", texts(s.path("directories"))) + " " + where;
            }
            case "setMode" -> {
                String mode = s.path("mode").asText("?");
                stops = "acceptEdits".equals(mode) || "bypassPermissions".equals(mode);
                label = "Switch " + ("session".equals(scope) ? "this session" : "the " + scope + " settings")
                        + " to " + mode + " mode" + switch (mode) {
                            case "acceptEdits" -> " (file edits and common file commands run without asking)";
                            case "bypassPermissions" -> " (nothing asks any more)";
                            case "plan" -> " (read only, nothing runs)";
                            default -> "";
                        };
            }
            default -> {
                stops = false;
                label = "Claude's suggestion '" + type + "' " + where + " (not known to Agent Commander)";
            }
        }
        return c.put("stops_asking", stops).put("label", label);
    }

    private static String scope(String destination) {
        return switch (destination) {
            case "session", "cliArg" -> "session";
            case "localSettings" -> "project_local";
            case "projectSettings" -> "project";
            case "userSettings" -> "user";
            default -> destination;
        };
    }

    private static String where(String scope, String destination) {
        return switch (scope) {
            case "session" -> "for this session";
            case "project_local" -> "in this project (.claude/settings.local.json)";
            case "project" -> "in this project, for everyone (.claude/settings.json)";
            case "user" -> "in all your projects (~/.claude/settings.json)";
            default -> destination.isEmpty() ? "" : "(" + destination + ")";
        };
    }

    private static List<String> rules(JsonNode rules) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : rules) {
            String tool = r.path("toolName").asText("?");
            JsonNode content = r.get("ruleContent");
            out.add(content == null || content.isNull() ? tool : tool + "(" + content.asText() + ")");
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : array) {
            out.add(d.asText());
        }
        return out;
    }

    /** Claude's permission rule syntax, as far as an approver's label needs it: {@code Tool} or {@code Tool(content)}. */
    static final class Rules {
        private static final Pattern SHELL_SYNTAX = Pattern.compile("[;&|`$<>\\n]");

        private Rules() {
        }

        /**
         * Whether rule {@code Tool(content)} covers this call: same tool, and for Bash the command equals the
         * content or starts with the content's text before a trailing {@code *} (Claude's prefix form
         * {@code git tag *}, also written {@code git tag:*}); a rule without content covers every call of the tool.
         * A Bash command with shell syntax (lists, pipes, substitutions, redirections) matches only a rule naming it
         * exactly: Claude checks each part of a compound command on its own.
         */
        static boolean matches(String rule, String toolName, JsonNode toolInput) {
            int open = rule.indexOf('(');
            String tool = open < 0 ? rule : rule.substring(0, open);
            if (toolName == null || !tool.equals(toolName)) {
                return false;
            }
            if (open < 0 || !rule.endsWith(")")) {
                return open < 0;
            }
            String content = rule.substring(open + 1, rule.length() - 1);
            String subject = toolInput == null ? "" : toolInput.path("command").asText(
                    toolInput.path("file_path").asText(""));
            if (subject.equals(content)) {
                return true;
            }
            if ("Bash".equals(tool) && SHELL_SYNTAX.matcher(subject).find()) {
                return false; // Claude checks each part of a compound command on its own: do not promise
            }
            if (content.endsWith(":*")) {
                content = content.substring(0, content.length() - 2) + " *";
            }
            if (content.endsWith(" *")) {
                String prefix = content.substring(0, content.length() - 2);
                return subject.equals(prefix) || subject.startsWith(prefix + " ");
            }
            return subject.equals(content);
        }
    }
}
