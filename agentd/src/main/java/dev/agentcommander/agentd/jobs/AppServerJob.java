package dev.agentcommander.agentd.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.approvals.JsonBudget;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code approvals: "ask"} job: drives {@code codex app-server} over its stdio (JSON-RPC, one object a line):
 * {@code initialize}, {@code initialized}, {@code thread/start {cwd, approvalPolicy: "untrusted", sandbox}},
 * {@code turn/start {threadId, input}}. Every server notification is a {@code codex.event} (the JSON-RPC object);
 * {@code item/commandExecution/requestApproval} and {@code item/fileChange/requestApproval} become approvals in
 * the inbox ({@link AppServerAsk}), answered {@code accept} only on an explicit allow and {@code decline} on
 * anything else; {@code turn/completed} ends the job (its turn's status decides DONE or ERROR). Unlike an exec
 * job it runs on agentd's pipes, so an agentd restart ends it (ERROR, said in {@code job.exited}).
 */
final class AppServerJob {
    private static final System.Logger LOG = System.getLogger(AppServerJob.class.getName());

    /** What the runner needs to hear from the job, on the job's own thread. */
    interface Listener {
        void line(CodexLine line);

        /** The thread id, usage or waiting flag changed. */
        void changed(String threadId, Session.Usage usage, boolean waiting);

        /** The job is over; {@code error} null when the turn completed. */
        void ended(Integer exitCode, boolean turnFailed, String error);
    }

    private final Process process;
    private final OutputStream stdin;
    private final Listener listener;
    private final AppServerAsk asker;
    private final String sessionId;
    private final JobState spec;
    private final String prompt;
    private final Map<String, JsonNode> items = new HashMap<>();
    private String threadId;
    private Session.Usage usage;
    private boolean waiting;

    private AppServerJob(Process process, Listener listener, AppServerAsk asker, JobState spec, String prompt) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.listener = listener;
        this.asker = asker;
        this.sessionId = spec.sessionId();
        this.spec = spec;
        this.prompt = prompt;
    }

    static AppServerJob start(String execPath, JobFiles files, JobState spec, String prompt, AppServerAsk asker,
                              Listener listener) throws IOException {
        Process p = new ProcessBuilder(List.of(execPath, "app-server")).directory(Path.of(spec.cwd()).toFile())
                .redirectError(Redirect.appendTo(files.stderr().toFile())).start();
        AppServerJob j = new AppServerJob(p, listener, asker, spec, prompt);
        Thread.ofVirtual().name("agentd-appserver-" + spec.sessionId()).start(j::run);
        return j;
    }

    long pid() {
        return process.pid();
    }

    void cancel() {
        process.destroy();
        Thread.ofVirtual().start(() -> {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void run() {
        String error = null;
        boolean failed = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            send(request(0, "initialize", Json.mapper().createObjectNode().set("clientInfo", Json.mapper()
                    .createObjectNode().put("name", "agent_commander").put("version", "0.1.0"))));
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode m = parse(line);
                if (m == null) {
                    listener.line(CodexLine.of(line, line.length(), false));
                    continue;
                }
                if (m.has("id") && m.has("method")) {
                    serverRequest(m);
                } else if (m.has("id")) {
                    String e = response(m);
                    if (e != null) {
                        error = e;
                        failed = true;
                        break;
                    }
                } else {
                    listener.line(new CodexLine(CodexLine.EVENT, JsonBudget.fit(m, CodexLine.DATA_LIMIT)));
                    Boolean done = notification(m);
                    if (done != null) {
                        failed = !done;
                        break;
                    }
                }
            }
            stdin.close(); // the turn is over: app-server exits when its stdin closes
        } catch (IOException e) {
            error = "app-server connection failed: " + e.getMessage();
            failed = true;
        }
        Integer exit = null;
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            exit = process.isAlive() ? null : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.ended(exit, failed, error);
    }

    private String response(JsonNode m) throws IOException {
        if (m.has("error")) {
            return "app-server answered request " + m.get("id") + " with an error: " + m.get("error");
        }
        switch (m.path("id").asInt(-1)) {
            case 0 -> {
                send(Json.mapper().createObjectNode().put("method", "initialized"));
                ObjectNode p = Json.mapper().createObjectNode().put("approvalPolicy", "untrusted")
                        .put("sandbox", spec.sandbox()).put("cwd", spec.cwd());
                if (spec.model() != null) {
                    p.put("model", spec.model());
                }
                send(request(1, "thread/start", p));
            }
            case 1 -> {
                threadId = m.path("result").path("thread").path("id").asText(null);
                listener.changed(threadId, usage, waiting);
                ObjectNode p = Json.mapper().createObjectNode().put("threadId", threadId);
                p.putArray("input").addObject().put("type", "text").put("text", prompt);
                send(request(2, "turn/start", p));
            }
            default -> { }
        }
        return null;
    }

    /** @return null to go on; true when the turn completed, false when it failed */
    private Boolean notification(JsonNode m) {
        JsonNode p = m.path("params");
        switch (m.path("method").asText()) {
            case "item/started", "item/updated" -> items.put(p.path("item").path("id").asText(), p.path("item"));
            case "thread/status/changed" -> {
                boolean w = false;
                for (JsonNode f : p.path("status").path("activeFlags")) {
                    w |= f.asText().equals("waitingOnApproval");
                }
                if (w != waiting) {
                    waiting = w;
                    listener.changed(threadId, usage, waiting);
                }
            }
            case "thread/tokenUsage/updated" -> {
                JsonNode t = p.path("tokenUsage").path("total");
                usage = new Session.Usage(num(t, "inputTokens"), num(t, "cachedInputTokens"),
                        num(t, "cacheWriteInputTokens"), num(t, "outputTokens"), num(t, "reasoningOutputTokens"));
                listener.changed(threadId, usage, waiting);
            }
            case "turn/completed" -> {
                return "completed".equals(p.path("turn").path("status").asText());
            }
            default -> { }
        }
        return null;
    }

    private void serverRequest(JsonNode m) throws IOException {
        listener.line(new CodexLine(CodexLine.EVENT, JsonBudget.fit(m, CodexLine.DATA_LIMIT)));
        String method = m.path("method").asText();
        JsonNode id = m.get("id");
        JsonNode p = m.path("params");
        if (!method.equals("item/commandExecution/requestApproval") && !method.equals("item/fileChange/requestApproval")) {
            ObjectNode err = Json.mapper().createObjectNode();
            err.set("id", id);
            err.putObject("error").put("code", -32601).put("message", "agentd does not answer " + method);
            send(err);
            return;
        }
        boolean command = method.startsWith("item/commandExecution");
        ObjectNode input = Json.mapper().createObjectNode();
        if (command) {
            input.put("command", p.path("command").asText(""));
            input.put("cwd", p.path("cwd").asText(spec.cwd()));
        } else {
            JsonNode item = items.get(p.path("itemId").asText());
            input.set("changes", item == null ? Json.mapper().createArrayNode() : item.path("changes"));
            if (p.hasNonNull("reason")) {
                input.put("reason", p.get("reason").asText());
            }
        }
        String tool = command ? "Bash" : "apply_patch";
        Thread.ofVirtual().name("agentd-appserver-ask").start(() -> {
            String decision = "decline";
            try {
                decision = asker.ask(sessionId, tool, input, spec.cwd());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "asking for " + method + " failed; declining", e);
            }
            ObjectNode reply = Json.mapper().createObjectNode();
            reply.set("id", id);
            reply.putObject("result").put("decision", decision.equals("accept") ? "accept" : "decline");
            try {
                send(reply);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "app-server gone before the answer: " + e.getMessage());
            }
        });
    }

    private static ObjectNode request(int id, String method, JsonNode params) {
        ObjectNode o = Json.mapper().createObjectNode().put("id", id).put("method", method);
        o.set("params", params);
        return o;
    }

    private synchronized void send(JsonNode m) throws IOException {
        stdin.write((m.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode n = Json.mapper().readTree(line);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Long num(JsonNode u, String f) {
        JsonNode n = u.get(f);
        return n != null && n.canConvertToLong() && n.asLong() >= 0 ? n.asLong() : null;
    }
}
