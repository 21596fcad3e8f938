package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** One HTTP request a fake model API received, kept whole so a test can read what the client really sent. */
public record Recorded(String method, String path, Map<String, List<String>> headers, String body) {
    public JsonNode json() {
        return Json.read(body);
    }

    public String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
