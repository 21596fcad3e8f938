package dev.agentcommander.agentd.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code agentd hook}: the same contract as the {@code agentd-hook} script, in Java, for machines where the
 * script cannot run (no bash or curl). A JVM start costs far more than the script, so install-hooks installs
 * the script; this is the fallback. Always exits 0; prints only an answer to a PermissionRequest.
 */
public final class HookCommand {
    private static final Pattern PERMISSION =
            Pattern.compile("\"hook_event_name\"\\s*:\\s*\"PermissionRequest\"");

    private HookCommand() {
    }

    /** Runs the hook; the return value is the exit code (always 0). */
    public static int run(List<String> args, InputStream stdin, PrintStream stdout, Map<String, String> env) {
        try {
            String listen = env.getOrDefault("AGENTD_HOOKS_LISTEN", "127.0.0.1:7717");
            int timeout = parseInt(env.get("AGENTD_APPROVAL_TIMEOUT"), 600);
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).equals("--listen")) {
                    listen = args.get(++i);
                } else if (args.get(i).equals("--timeout")) {
                    timeout = parseInt(args.get(++i), timeout);
                }
            }
            listen = ListenAddress.parse(listen).toString();
            byte[] body = stdin.readNBytes(HookServer.MAX_BODY_BYTES + 1);
            if (body.length == 0 || body.length > HookServer.MAX_BODY_BYTES) {
                return 0;
            }
            boolean permission = PERMISSION.matcher(new String(body, StandardCharsets.UTF_8)).find();
            String pane = env.getOrDefault("TMUX_PANE", "");
            URI uri = URI.create("http://" + listen + "/hooks/claude?pane="
                    + URLEncoder.encode(pane, StandardCharsets.UTF_8));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    .proxy(HttpClient.Builder.NO_PROXY).build();
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(permission ? timeout + 20L : 10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String answer = resp.body() == null ? "" : resp.body().strip();
            if (permission && resp.statusCode() == 200 && answer.startsWith("{")) {
                stdout.println(answer);
                stdout.flush();
            }
        } catch (IOException | RuntimeException e) {
            // agentd unreachable, timed out or refused: print nothing so Claude shows its own prompt
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
