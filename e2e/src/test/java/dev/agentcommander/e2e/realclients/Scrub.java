package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Replaces the values that differ from run to run, so that what a real CLI sent can be compared with a golden
 * file exactly. The rules, applied in this order to every string (keys are never touched):
 * <ol>
 * <li>each registered path (and its project-key form, every non-alphanumeric character as '-', which Claude
 * uses for transcript directories) becomes its placeholder, longest path first: {@code <repo>}, {@code <tmp>}…;</li>
 * <li>every UUID (8-4-4-4-12 hex) becomes {@code <uuid>};</li>
 * <li>every registered origin ({@code 127.0.0.1:<port>}) becomes {@code <api>}.</li>
 * </ol>
 * And the value of a field named in {@link #VOLATILE} (durations, clocks, process ids) becomes {@code "<number>"}
 * or {@code "<string>"} after its JSON type — its presence and type still count, its value does not.
 */
final class Scrub {
    /** Fields whose values are clocks, durations or process ids in the recorded CLIs. */
    static final Set<String> VOLATILE = Set.of("duration_ms", "durationMs", "startedAtMs", "completedAtMs",
            "emittedAtMs", "startedAt", "completedAt", "createdAt", "updatedAt", "processId", "pid",
            "turn_started_at_unix_ms", "installation_id", "installationId", "latest_git_commit_hash");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final List<Map.Entry<String, String>> replacements = new ArrayList<>();

    /** Registers a per-run path; its project-key form is registered too. */
    Scrub path(String path, String placeholder) {
        replacements.add(Map.entry(path, placeholder));
        replacements.add(Map.entry(path.replaceAll("[^A-Za-z0-9]", "-"), placeholder + "-key"));
        replacements.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
        return this;
    }

    /** Registers a fake server's origin, e.g. http://127.0.0.1:4711 (also matched without the scheme). */
    Scrub origin(String origin) {
        String hostPort = origin.replaceFirst("^https?://", "");
        replacements.add(Map.entry(hostPort, "<api>"));
        return this;
    }

    String text(String s) {
        String out = s;
        for (Map.Entry<String, String> e : replacements) {
            if (!e.getValue().equals("<api>")) {
                out = out.replace(e.getKey(), e.getValue());
            }
        }
        out = UUID.matcher(out).replaceAll("<uuid>");
        for (Map.Entry<String, String> e : replacements) {
            if (e.getValue().equals("<api>")) {
                out = out.replace(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    JsonNode json(JsonNode node) {
        return json(node, null);
    }

    private JsonNode json(JsonNode node, String field) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (field != null && VOLATILE.contains(field) && !node.isNull() && !node.isContainerNode()) {
            return f.textNode(node.isNumber() ? "<number>" : "<" + node.getNodeType().name().toLowerCase() + ">");
        }
        if (node.isObject()) {
            ObjectNode o = f.objectNode();
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
            fields.forEach((k, v) -> o.set(k, json(v, k)));
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = f.arrayNode();
            node.forEach(v -> a.add(json(v, null)));
            return a;
        }
        return node.isTextual() ? f.textNode(text(node.asText())) : node;
    }
}
