package dev.agentcommander.e2e;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Issue 16 figures in real headless Chromium: keystroke → echo seen in the terminal's DOM (typed through the
 * page's own input path, the UI socket's {@code input}, into a pane running {@code cat}; the time runs from the
 * call to the DOM mutation that shows the echo), and page load → live (navigation start until the socket is
 * online and the first session row is in the DOM). Args: [samples=100].
 */
public final class DashboardBench {
    private static final int WARMUP = 30;

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path dir = Files.createTempDirectory("dashboard-bench");
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            stack.registerHost("bench-host");
            PrivateTmux tmux = stack.tmux(Map.of());
            stack.agentdJvm = Stack.LAUNCHER_AGENTD_JVM;
            stack.startAgentd();
            String pane = tmux.window(dir, "cat");
            String session = Await.value("session", Duration.ofSeconds(30),
                    () -> FoundationLookup.sessionId(stack, pane));
            Stats echo = new Stats();
            Stats load = new Stats();
            Stats rest = new Stats();
            try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.OPERATOR, null)) {
                for (int i = 0; i < 6; i++) {
                    c.driver.get(stack.baseUrl() + "/");
                    c.until("live", d -> "online".equals(c.find("[data-connection]").getAttribute("data-connection"))
                            && !c.all("[data-session-id]").isEmpty());
                    Object ms = c.js("return performance.now()");
                    if (i > 0) {
                        load.add(((Number) ms).doubleValue());
                    }
                }
                c.driver.get(stack.baseUrl() + "/sessions/" + session);
                c.until("terminal", d -> Boolean.TRUE.equals(c.js("return !!window.__acTerminal")));
                Thread.sleep(1000);
                String waitFor = "const marker = arguments[0], done = arguments[arguments.length - 1];"
                        + "const rows = document.querySelector("
                        + "'[data-terminal] .xterm-rows'); const t0 = performance.now();"
                        + "const seen = () => rows.textContent.includes(marker);"
                        + "const obs = new MutationObserver(() => { if (seen()) { obs.disconnect();"
                        + " done(performance.now() - t0); } });"
                        + "obs.observe(rows, {childList: true, subtree: true, characterData: true});"
                        + "window.__acTerminal.type(marker + '\\r');";
                c.asyncJs("const done = arguments[arguments.length - 1];"
                        + "fetch('/v1/me').then(r => r.json()).then(m => { window.__csrf = m.csrf_token; done(); });");
                String viaRest = waitFor.replace("window.__acTerminal.type(marker + '\\r');",
                        "fetch('/v1/sessions/" + session + "/commands', {method: 'POST', headers: {'Content-Type':"
                                + " 'application/json', 'X-CSRF-Token': window.__csrf}, body: JSON.stringify({type:"
                                + " 'send_input', text: marker, submit: true})});");
                for (int i = 0; i < 2 * (samples + WARMUP); i++) {
                    boolean socket = i % 2 == 0;
                    String key = "k" + i + "q";
                    Object ms = c.asyncJs(socket ? waitFor : viaRest, key);
                    if (i >= 2 * WARMUP) {
                        (socket ? echo : rest).add(((Number) ms).doubleValue());
                    }
                    Thread.sleep(30);
                }
            }
            System.out.println("page load -> live (sessions page, socket online, first row):  " + load.summary(" ms"));
            System.out.println("keystroke -> echo in the terminal's DOM (UI socket input):     " + echo.summary(" ms"));
            System.out.println("keystroke -> echo in the terminal's DOM (REST send_input):      "
                    + rest.summary(" ms"));
            System.out.printf(java.util.Locale.ROOT, "  min: UI socket %.2f ms, REST %.2f ms%n", echo.percentile(0),
                    rest.percentile(0));
            System.out.println("[" + Stats.machine() + "]");
        }
    }
}
