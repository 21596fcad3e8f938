package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake Anthropic Messages API for real Claude Code: {@code POST /v1/messages} with {@code stream: true} answers
 * the next scripted {@link Turn} as the real API streams it (message_start, content_block_start / delta / stop per
 * block, message_delta with the stop reason, message_stop). With CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1,
 * Claude Code 2.1.328 makes exactly one such call per model turn and nothing else (recorded, docs/real-clients.md);
 * {@code count_tokens} and non-streaming calls are answered anyway so a newer version that adds them still runs
 * and the test sees them in {@link #requests()}.
 */
public final class FakeAnthropic extends FakeModelApi<FakeAnthropic.Turn> {
    private int toolUseIds;

    /** One content block of a model turn. */
    public sealed interface Block {
    }

    public record Text(String text) implements Block {
    }

    /** A tool call; {@code input} is what the model passes (for Bash: command, description). */
    public record ToolUse(String name, Map<String, Object> input) implements Block {
    }

    /** One assistant message: its blocks, in order. A turn with a tool_use stops with stop_reason tool_use. */
    public record Turn(List<Block> blocks) {
        public static Turn text(String text) {
            return new Turn(List.of(new Text(text)));
        }

        public static Turn toolUse(String name, Map<String, Object> input) {
            return new Turn(List.of(new ToolUse(name, input)));
        }

        /** A Bash call as the model writes it: the command and a one-line description. */
        public static Turn bash(String command, String description) {
            return toolUse("Bash", Map.of("command", command, "description", description));
        }
    }

    /** The streaming model calls only (what Claude sends the model each turn), in order. */
    public List<Recorded> modelCalls() {
        return requests().stream().filter(FakeAnthropic::isModelCall).toList();
    }

    static boolean isModelCall(Recorded r) {
        return r.method().equals("POST") && r.path().startsWith("/v1/messages")
                && !r.path().contains("count_tokens") && r.json().path("stream").asBoolean(false);
    }

    /** The tool_result blocks of one model call's last user message. */
    public static List<JsonNode> toolResults(Recorded modelCall) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode m : modelCall.json().path("messages")) {
            if ("user".equals(m.path("role").asText())) {
                out.clear();
                for (JsonNode c : m.path("content")) {
                    if ("tool_result".equals(c.path("type").asText())) {
                        out.add(c);
                    }
                }
            }
        }
        return out;
    }

    @Override
    protected void answer(Recorded r, HttpExchange exchange) throws IOException {
        if (!r.method().equals("POST") || !r.path().startsWith("/v1/messages")) {
            Sse.json(exchange, 404, error("not_found_error", "the fake Anthropic API has no " + r.path()));
        } else if (r.path().startsWith("/v1/messages/count_tokens")) {
            Sse.json(exchange, 200, Map.of("input_tokens", Math.max(1, r.body().length() / 4)));
        } else if (!r.json().path("stream").asBoolean(false)) {
            Sse.json(exchange, 200, message("msg_fake_sync", r.json().path("model").asText(), List.of(
                    Map.of("type", "text", "text", "ok")), "end_turn"));
        } else {
            stream(r.json().path("model").asText(), exchange);
        }
    }

    private void stream(String model, HttpExchange exchange) throws IOException {
        Turn turn = nextTurn();
        if (turn == null) {
            turn = Turn.text("(the fake model has no scripted turn left)");
        }
        String stop = "end_turn";
        try (Sse sse = new Sse(exchange)) {
            Map<String, Object> start = message("msg_fake_" + System.nanoTime(), model, List.of(), null);
            sse.event("message_start", Map.of("type", "message_start", "message", start));
            int index = 0;
            for (Block b : turn.blocks()) {
                switch (b) {
                    case Text t -> {
                        block(sse, index, Map.of("type", "text", "text", ""),
                                Map.of("type", "text_delta", "text", t.text()));
                    }
                    case ToolUse u -> {
                        String json = Json.write(u.input());
                        int half = json.length() / 2; // the real API streams the input in pieces
                        sse.event("content_block_start", Map.of("type", "content_block_start", "index", index,
                                "content_block", Map.of("type", "tool_use", "id", nextToolUseId(), "name", u.name(),
                                        "input", Map.of())));
                        for (String part : List.of(json.substring(0, half), json.substring(half))) {
                            sse.event("content_block_delta", Map.of("type", "content_block_delta", "index", index,
                                    "delta", Map.of("type", "input_json_delta", "partial_json", part)));
                        }
                        sse.event("content_block_stop", Map.of("type", "content_block_stop", "index", index));
                        stop = "tool_use";
                    }
                }
                index++;
            }
            Map<String, Object> delta = new LinkedHashMap<>();
            delta.put("stop_reason", stop);
            delta.put("stop_sequence", null);
            sse.event("message_delta", Map.of("type", "message_delta", "delta", delta,
                    "usage", Map.of("output_tokens", 12)));
            sse.event("message_stop", Map.of("type", "message_stop"));
        }
    }

    private static void block(Sse sse, int index, Map<String, Object> start, Map<String, Object> delta)
            throws IOException {
        sse.event("content_block_start", Map.of("type", "content_block_start", "index", index, "content_block", start));
        sse.event("content_block_delta", Map.of("type", "content_block_delta", "index", index, "delta", delta));
        sse.event("content_block_stop", Map.of("type", "content_block_stop", "index", index));
    }

    private synchronized String nextToolUseId() {
        return String.format("toolu_fake_%04d", ++toolUseIds);
    }

    private static Map<String, Object> message(String id, String model, List<Object> content, String stop) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", model);
        m.put("content", content);
        m.put("stop_reason", stop);
        m.put("stop_sequence", null);
        m.put("usage", Map.of("input_tokens", 100, "output_tokens", 1));
        return m;
    }

    private static Map<String, Object> error(String type, String message) {
        return Map.of("type", "error", "error", Map.of("type", type, "message", message));
    }
}
