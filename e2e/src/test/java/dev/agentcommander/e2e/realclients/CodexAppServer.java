package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The real {@code codex app-server} driven over stdio (JSON-RPC 2.0 without the "jsonrpc" member, one JSON object
 * a line), with every message in both directions kept in order so a test can pin the conversation.
 */
final class CodexAppServer implements AutoCloseable {
    /** One message on the wire; {@code fromClient} tells the direction. */
    record Message(boolean fromClient, JsonNode msg) {
        String method() {
            return msg.path("method").asText("");
        }
    }

    private final Process process;
    private final OutputStream stdin;
    private final List<Message> transcript = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private int nextId;

    CodexAppServer(CodexHome home, Path cwd) {
        ProcessBuilder pb = new ProcessBuilder(RealClis.codex().toString(), "app-server").directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(home.env());
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start codex app-server: " + e.getMessage(), e);
        }
        stdin = process.getOutputStream();
        Thread.ofVirtual().name("app-server-stdout").start(() -> pump(process.getInputStream(), true));
        Thread.ofVirtual().name("app-server-stderr").start(() -> pump(process.getErrorStream(), false));
    }

    /** Sends a request; returns its id. */
    synchronized int request(String method, Map<String, Object> params) {
        int id = nextId++;
        send(Map.of("method", method, "id", id, "params", params));
        return id;
    }

    void notification(String method) {
        send(Map.of("method", method));
    }

    /** Answers a request the server sent (an approval). */
    void respond(JsonNode serverRequestId, Map<String, Object> result) {
        send(Map.of("id", Json.MAPPER.convertValue(serverRequestId, Object.class), "result", result));
    }

    /** The response to our request {@code id}; fails on a JSON-RPC error. */
    JsonNode result(int id, Duration timeout) {
        JsonNode m = await(x -> !x.fromClient() && x.msg().path("id").isInt() && x.msg().path("id").asInt() == id
                && !x.msg().has("method"), 1, timeout).get(0).msg();
        if (m.has("error")) {
            throw new AssertionError("codex app-server answered request " + id + " with " + m.get("error"));
        }
        return m.path("result");
    }

    /** Waits for the {@code n}th server message with {@code method}. */
    JsonNode awaitServer(String method, int n, Duration timeout) {
        return await(x -> !x.fromClient() && method.equals(x.method()), n, timeout).get(n - 1).msg();
    }

    List<Message> await(Predicate<Message> which, int n, Duration timeout) {
        return Await.value(n + " matching app-server message(s)", timeout, () -> {
            List<Message> hits = transcript().stream().filter(which).toList();
            return hits.size() >= n ? hits : null;
        }, () -> transcript().stream().map(m -> (m.fromClient() ? "> " : "< ") + m.msg()).toList()
                + "\n--- stderr ---\n" + stderr());
    }

    synchronized List<Message> transcript() {
        return List.copyOf(transcript);
    }

    synchronized String stderr() {
        return stderr.toString();
    }

    private void send(Map<String, Object> message) {
        ObjectNode node = Json.MAPPER.valueToTree(message);
        synchronized (this) {
            transcript.add(new Message(true, node));
        }
        try {
            stdin.write((Json.write(node) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("codex app-server stdin: " + stderr(), e);
        }
    }

    private void pump(java.io.InputStream in, boolean stdout) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    if (stdout) {
                        transcript.add(new Message(false, Json.read(line)));
                    } else {
                        stderr.append(line).append('\n');
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                stderr.append("(reading ").append(stdout ? "stdout" : "stderr").append(" failed: ").append(e)
                        .append(")\n");
            }
        }
    }

    /** Closes stdin (the server exits at end of input), then makes sure it and its children are gone. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
