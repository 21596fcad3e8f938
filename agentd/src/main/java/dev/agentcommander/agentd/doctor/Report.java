package dev.agentcommander.agentd.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The doctor's findings for a person (one line each, the fix indented under it) or as one JSON document for
 * scripts and support tickets: {@code {"ok": bool, "version": …, "checks": [{name, status, detail, fix}]}}.
 */
public final class Report {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Report() {
    }

    /** 0 when nothing failed (warnings included), 1 otherwise. */
    public static int exitCode(List<Check> checks) {
        return checks.stream().anyMatch(Check::failed) ? 1 : 0;
    }

    public static String text(List<Check> checks, String version) {
        StringBuilder sb = new StringBuilder("agentd doctor (agentd " + version + ")\n");
        for (Check c : checks) {
            sb.append(String.format(Locale.ROOT, "%-4s %-22s %s%n", c.status().name().toLowerCase(Locale.ROOT),
                    c.name(), c.detail()));
            if (!c.fix().isEmpty()) {
                sb.append("     fix: ").append(c.fix()).append('\n');
            }
        }
        long failed = checks.stream().filter(Check::failed).count();
        long warned = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
        sb.append(failed == 0 ? "no problems" + (warned == 0 ? "" : " (" + warned + " warning" + (warned == 1 ? ""
                : "s") + ")") : failed + " problem" + (failed == 1 ? "" : "s") + " to fix").append('\n');
        return sb.toString();
    }

    public static String json(List<Check> checks, String version) {
        ObjectNode root = JSON.createObjectNode();
        root.put("ok", exitCode(checks) == 0);
        root.put("version", version);
        ArrayNode list = root.putArray("checks");
        for (Check c : checks) {
            ObjectNode o = list.addObject();
            o.put("name", c.name());
            o.put("status", c.status().name().toLowerCase(Locale.ROOT));
            o.put("detail", c.detail());
            if (!c.fix().isEmpty()) {
                o.put("fix", c.fix());
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
