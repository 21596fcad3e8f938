package dev.agentcommander.e2e.realclients;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code codex exec --json} once, as agentd's job runner does (DESIGN §3): argv without the prompt,
 * the prompt on stdin ({@code -}), stdout read as JSON lines, stderr kept.
 */
final class CodexExec {
    /** What one run printed. {@code events} are the stdout lines that parse as JSON, in order. */
    record Result(int exitCode, List<String> stdout, List<JsonNode> events, String stderr) {
        List<String> types() {
            return events.stream().map(e -> e.path("type").asText()).toList();
        }

        JsonNode last(String type) {
            JsonNode found = null;
            for (JsonNode e : events) {
                if (type.equals(e.path("type").asText())) {
                    found = e;
                }
            }
            return found;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + String.join("\n", stdout) + "\n--- stderr ---\n" + stderr;
        }
    }

    private CodexExec() {
    }

    /** {@code codex <args…>} in {@code cwd} with {@code prompt} on stdin; at most 60 s. */
    static Result run(CodexHome home, Path cwd, String prompt, String... args) {
        List<String> cmd = new ArrayList<>(List.of(RealClis.codex().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(home.env());
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(prompt.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("codex " + String.join(" ", args) + " did not finish in 60 s");
            }
            List<String> lines = out.join().lines().toList();
            List<JsonNode> events = new ArrayList<>();
            for (String l : lines) {
                if (l.startsWith("{")) {
                    events.add(Json.read(l));
                }
            }
            return new Result(p.exitValue(), lines, events, err.join());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run codex: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running codex", e);
        }
    }

    private static String drain(java.io.InputStream s) {
        try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(read failed: " + e.getMessage() + ")";
        }
    }
}
