package dev.agentcommander.e2e.realclients;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake OpenAI Responses API for the real Codex CLI ({@code wire_api = "responses"} on a custom model provider):
 * {@code POST /v1/responses} answers the next scripted {@link Turn} as a server-sent-event stream
 * (response.created, one response.output_item.done per item, then response.completed with usage, or
 * response.failed), or breaks the stream, or answers an HTTP error — the ways a real turn ends.
 */
public final class FakeResponses extends FakeModelApi<FakeResponses.Turn> {
    /** Usage every completed response reports; Codex adds them up over a turn (and a resumed thread). */
    static final Map<String, Object> USAGE = Map.of("input_tokens", 100,
            "input_tokens_details", Map.of("cached_tokens", 20), "output_tokens", 10,
            "output_tokens_details", Map.of("reasoning_tokens", 3), "total_tokens", 110);

    private int responses;

    /** How one model call ends. */
    public sealed interface Turn {
    }

    /** A completed response: an assistant message, a function call, or both. */
    public record Reply(String text, String call, Map<String, Object> arguments) implements Turn {
        public static Reply text(String text) {
            return new Reply(text, null, null);
        }

        /** Codex 0.169.0's shell tool: {@code exec_command {"cmd": …}}. */
        public static Reply execCommand(String cmd) {
            return new Reply(null, "exec_command", Map.of("cmd", cmd));
        }
    }

    /** A response.failed event: the model call failed (not retried). */
    public record Failed(String message) implements Turn {
    }

    /** The stream ends before response.completed (Codex retries it: stream_max_retries). */
    public record Disconnect() implements Turn {
    }

    /** An HTTP error status instead of a stream (Codex retries it: request_max_retries). */
    public record HttpError(int status, String message) implements Turn {
    }

    public List<Recorded> modelCalls() {
        return requests().stream().filter(FakeResponses::isModelCall).toList();
    }

    static boolean isModelCall(Recorded r) {
        return r.method().equals("POST") && r.path().endsWith("/responses");
    }

    @Override
    protected void answer(Recorded r, HttpExchange exchange) throws IOException {
        if (!isModelCall(r)) {
            Sse.json(exchange, 404, Map.of("error", Map.of("message", "the fake Responses API has no " + r.path(),
                    "type", "invalid_request_error")));
            return;
        }
        Turn turn = nextTurn();
        if (turn == null) {
            turn = Reply.text("(the fake model has no scripted turn left)");
        }
        String id;
        synchronized (this) {
            id = "resp_fake_" + (++responses);
        }
        if (turn instanceof HttpError e) {
            Sse.json(exchange, e.status(), Map.of("error", Map.of("message", e.message(), "type", "server_error")));
            return;
        }
        try (Sse sse = new Sse(exchange)) {
            sse.event("response.created", Map.of("type", "response.created", "response", Map.of("id", id)));
            switch (turn) {
                case Reply reply -> {
                    if (reply.call() != null) {
                        sse.event("response.output_item.done", Map.of("type", "response.output_item.done", "item",
                                Map.of("type", "function_call", "call_id", "call_" + id, "name", reply.call(),
                                        "arguments", Json.write(reply.arguments()))));
                    }
                    if (reply.text() != null) {
                        sse.event("response.output_item.done", Map.of("type", "response.output_item.done", "item",
                                Map.of("type", "message", "role", "assistant", "id", "msg_" + id, "content",
                                        List.of(Map.of("type", "output_text", "text", reply.text())))));
                    }
                    Map<String, Object> done = new LinkedHashMap<>();
                    done.put("id", id);
                    done.put("usage", USAGE);
                    sse.event("response.completed", Map.of("type", "response.completed", "response", done));
                }
                case Failed f -> sse.event("response.failed", Map.of("type", "response.failed", "response",
                        Map.of("id", id, "error", Map.of("code", "server_error", "message", f.message()))));
                case Disconnect d -> {
                    // end the stream here: no response.completed
                }
                case HttpError e -> throw new IllegalStateException("answered above");
            }
        }
    }
}
