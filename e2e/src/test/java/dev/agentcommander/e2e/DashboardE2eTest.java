package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in real headless Chromium against the whole stack (control plane + Postgres, agentd, a private
 * tmux server), signed in through one-time local links per role, at desktop size and at 390×844.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardE2eTest {
    static final String XSS = "<img src=x onerror=alert(1)>";
    /** How far the page scrolls sideways (0: it fits the viewport). */
    static final String NO_SIDEWAYS =
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth";
    @TempDir
    static Path dir;
    static Stack stack;
    static PrivateTmux tmux;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(dir).startDatabase();
        stack.startControlPlane();
        stack.registerHost("e2e-host");
        tmux = stack.tmux(stack.hookEnv(Fixtures.standinBin(dir)));
        Path bin = Files.createDirectories(dir.resolve("codex-bin"));
        try (InputStream in = DashboardE2eTest.class.getResourceAsStream("/standins/codex-headless")) {
            Files.copy(in, bin.resolve("codex"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(bin.resolve("codex"), PosixFilePermissions.fromString("rwx------"));
        stack.agentdConfig.put("codex_exec_path", bin.resolve("codex").toString());
        stack.startAgentd();
        Await.value("hook receiver", Duration.ofSeconds(30), new HookClient(stack.hooksPort)::up);
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    static String session(String pane) throws InterruptedException {
        return Await.value("session of " + pane, Duration.ofSeconds(20), () -> FoundationLookup.sessionId(stack, pane));
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static String terminalText(Chrome c) {
        return String.valueOf(c.js("const r = document.querySelector('[data-terminal] .xterm-rows');"
                + "return r ? [...r.children].map(x => x.textContent).join('\\n') : '';"));
    }

    @Test
    @Order(1)
    void signingInWithALocalLinkLandsOnSessionsAndANewPaneAppearsWithoutReloadNamedAsText() throws Exception {
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP)) {
            c.driver.get(stack.baseUrl() + "/approvals");
            c.until("redirected to /login", d -> d.getCurrentUrl().contains("/login"));
            assertThat(c.find("body").getText()).contains("login-link");
            c.screenshot("login-desktop");
            c.signIn(Role.OPERATOR, null);
            assertThat(c.driver.getCurrentUrl()).isEqualTo(stack.baseUrl() + "/");
            c.until("online", d -> "online".equals(c.find("[data-connection]").getAttribute("data-connection")));
            c.js("window.__marker = 1;");
            String pane = tmux.window(dir, "bash", "--norc", "--noprofile");
            String id = session(pane);
            c.until("row of " + id, d -> !c.all("[data-session-id='" + id + "']").isEmpty());
            assertThat(c.js("return window.__marker")).as("no reload").isEqualTo(1L);
            assertThat(stack.rest(Role.OPERATOR).post("/v1/sessions/" + id + "/commands",
                    Map.of("type", "rename_session", "name", XSS)).status()).isEqualTo(202);
            c.until("renamed", d -> c.find("[data-session-id='" + id + "'] .name").getText().equals(XSS));
            assertThat(c.all(".sessions img")).isEmpty();
            assertThat(c.js("return window.__xss === undefined && document.querySelectorAll('img').length"))
                    .isEqualTo(0L);
            String adopt = "//*[@data-session-id='" + id + "']//button[text()='Adopt']";
            assertThat(c.driver.findElements(By.xpath(adopt))).as("a pane nobody started through us").hasSize(1);
            c.screenshot("sessions-desktop");
            c.driver.findElement(By.xpath(adopt)).click();
            c.until("adopted: no Adopt on its row any more", Duration.ofSeconds(20),
                    d -> d.findElements(By.xpath(adopt)).isEmpty());
            assertThat(stack.rest(Role.VIEWER).get("/v1/sessions/" + id).body().get("managed").asBoolean()).isTrue();
            assertThat(c.text("[data-session-id='" + id + "'] .name")).as("the same row").isEqualTo(XSS);
            c.viewport(Chrome.PHONE);
            Thread.sleep(300);
            assertThat((Long) c.js(NO_SIDEWAYS))
                    .isLessThanOrEqualTo(0L);
            c.screenshot("sessions-phone");
        }
    }

    @Test
    @Order(2)
    void sessionPageShowsThePaneThenLiveOutputAndTypingReachesThePaneLiterallyAndCtrlCInterrupts() throws Exception {
        Path typed = dir.resolve("typed.txt");
        String pane = tmux.window(dir, "bash", "--norc", "--noprofile");
        tmux.run("send-keys", "-t", pane, "-l", "echo before-open");
        tmux.run("send-keys", "-t", pane, "Enter");
        String id = session(pane);
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.OPERATOR, "/sessions/" + id)) {
            c.until("snapshot in the terminal", d -> terminalText(c).contains("before-open"));
            tmux.run("send-keys", "-t", pane, "-l", "echo live-$((6*7))");
            tmux.run("send-keys", "-t", pane, "Enter");
            c.until("live output", d -> terminalText(c).contains("live-42"));

            tmux.run("send-keys", "-t", pane, "-l", "cat > " + typed);
            tmux.run("send-keys", "-t", pane, "Enter");
            Await.value("cat runs", Duration.ofSeconds(5), () ->
                    tmux.run("display-message", "-p", "-t", pane, "#{pane_current_command}").strip().equals("cat"));
            String line = "it's \"$(whoami)\"; echo `id` && ü ✓";
            WebElement input = c.find("[data-terminal] textarea");
            input.sendKeys(line);
            input.sendKeys(Keys.ENTER);
            Await.value("typed line in the file", Duration.ofSeconds(10), () ->
                    read(typed).equals(line + "\n"));
            c.driver.findElement(By.xpath("//div[@class='keys']/button[text()='Ctrl-C']")).click();
            Await.value("cat interrupted", Duration.ofSeconds(10), () ->
                    tmux.run("display-message", "-p", "-t", pane, "#{pane_current_command}").strip().equals("bash"));
            assertThat(Files.readString(typed)).isEqualTo(line + "\n");
            assertThat(c.buttons()).contains("Rename", "Interrupt", "Kill", "Enter", "Esc", "Tab", "Ctrl-C");
            long audits = stack.queryLong("SELECT count(*) FROM audit_log WHERE action = 'session.input' "
                    + "AND target = ?", id);
            assertThat(audits).as("one audit row per burst, not per key").isBetween(1L, 3L);
            tmux.run("send-keys", "-t", pane, "-l", "ls -la /; echo ready");
            tmux.run("send-keys", "-t", pane, "Enter");
            c.until("ready", d -> terminalText(c).contains("ready"));
            c.screenshot("session-desktop");
            c.viewport(Chrome.PHONE);
            Thread.sleep(500);
            c.screenshot("session-phone");
        }
    }

    @Test
    @Order(3)
    void viewerSeesTheTerminalButNoActionsAndItsTypingIsRefused() throws Exception {
        String pane = tmux.window(dir, "bash", "--norc", "--noprofile");
        String id = session(pane);
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.VIEWER, "/sessions/" + id)) {
            c.until("terminal", d -> !c.all("[data-terminal] .xterm-rows").isEmpty());
            c.until("online", d -> "online".equals(c.find("[data-connection]").getAttribute("data-connection")));
            assertThat(c.buttons()).doesNotContain("Rename", "Interrupt", "Kill", "Ctrl-C", "Enter")
                    .contains("Sign out");
            Object refused = c.asyncJs("const done = arguments[arguments.length - 1];"
                    + "const ws = new WebSocket('ws://' + location.host + '/v1/ui');"
                    + "ws.onopen = () => ws.send(JSON.stringify({type:'input', session_id: '" + id
                    + "', data: btoa('touch /tmp/nope\\r')}));"
                    + "ws.onmessage = e => { const m = JSON.parse(e.data);"
                    + " if (m.type === 'error') done(m.error.code); };");
            assertThat(refused).isEqualTo("forbidden");
        }
    }

    @Test
    @Order(4)
    void anApprovalAppearsInTheInboxAllowThereReachesTheHookAndASecondBrowserSeesItVanish() throws Exception {
        try (Chrome op = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.OPERATOR, "/approvals");
             Chrome viewer = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.VIEWER, "/approvals")) {
            op.until("online", d -> "online".equals(op.find("[data-connection]").getAttribute("data-connection")));
            viewer.until("online", d -> "online".equals(viewer.find("[data-connection]")
                    .getAttribute("data-connection")));
            String hookPane = tmux.window(dir, "claude", "hook", "Bash", "{\"command\":\"npm test -- --watch=false\"}");
            op.until("card", Duration.ofSeconds(20), d -> !op.all("[data-approval-id]").isEmpty());
            String aid = op.find("[data-approval-id]").getAttribute("data-approval-id");
            assertThat(op.find("[data-approval-id] pre code").getText()).isEqualTo("npm test -- --watch=false");
            viewer.until("viewer card", d -> !viewer.all("[data-approval-id='" + aid + "']").isEmpty());
            assertThat(viewer.buttons()).doesNotContain("Allow", "Deny…");
            Object status = viewer.asyncJs("const done = arguments[0];"
                    + "fetch('/v1/me').then(r => r.json()).then(me => fetch('/v1/approvals/" + aid + "/decision', "
                    + "{method:'POST', headers:{'Content-Type':'application/json','X-CSRF-Token':me.csrf_token},"
                    + "body: JSON.stringify({behavior:'allow'})})).then(r => done(r.status));");
            assertThat(status).as("a viewer's crafted decision").isEqualTo(403L);
            op.screenshot("approvals-desktop");
            op.driver.findElement(By.xpath("//*[@data-approval-id='" + aid + "']//button[text()='Allow']")).click();
            viewer.until("card gone in the second browser", Duration.ofSeconds(5),
                    d -> viewer.all("[data-approval-id='" + aid + "']").isEmpty());
            String out = Await.value("hook output", Duration.ofSeconds(20), () -> {
                String s = tmux.joinedScreen(hookPane);
                return s.contains("HOOK-EXIT=") ? s : null;
            });
            assertThat(out).contains("\"behavior\":\"allow\"");
        }
    }

    @Test
    @Order(5)
    void anEditShowsAsADiffDenyWithAMessageReachesTheHookAndThePhoneInboxFits() throws Exception {
        try (Chrome op = new Chrome(stack.baseUrl(), Chrome.PHONE).signIn(Role.OPERATOR, "/approvals")) {
            String edit = "{\"file_path\":\"/src/app/main.py\",\"old_string\":\"def main():\\n    print('hi')\\n\","
                    + "\"new_string\":\"def main():\\n    print('hello, world')\\n    return 0\\n\"}";
            String hookPane = tmux.window(dir, "claude", "hook", "Edit", edit);
            op.until("diff", Duration.ofSeconds(20), d -> !op.all("[data-approval-id] .diff").isEmpty());
            assertThat(op.find("[data-approval-id] .path").getText()).isEqualTo("/src/app/main.py");
            assertThat(op.all("[data-approval-id] .dl.del").stream().map(WebElement::getText).toList())
                    .anySatisfy(t -> assertThat(t).contains("print('hi')"));
            assertThat(op.all("[data-approval-id] .dl.add").stream().map(WebElement::getText).toList())
                    .anySatisfy(t -> assertThat(t).contains("print('hello, world')"))
                    .anySatisfy(t -> assertThat(t).contains("return 0"));
            assertThat((Long) op.js(NO_SIDEWAYS))
                    .as("no horizontal scroll at 390 px").isLessThanOrEqualTo(0L);
            List<Long> heights = op.all("[data-approval-id] button").stream().filter(WebElement::isDisplayed)
                    .map(b -> (long) b.getSize().height).toList();
            assertThat(heights).isNotEmpty().allSatisfy(hgt -> assertThat(hgt).isGreaterThanOrEqualTo(44L));
            op.screenshot("approvals-phone");
            op.driver.findElement(By.xpath("//button[text()='Deny…']")).click();
            op.find("[data-approval-id] .deny input").sendKeys("use the logger, not print");
            op.driver.findElement(By.xpath("//button[text()='Send deny']")).click();
            String out = Await.value("hook output", Duration.ofSeconds(20), () -> {
                String s = tmux.joinedScreen(hookPane);
                return s.contains("HOOK-EXIT=") ? s : null;
            });
            assertThat(out).contains("\"behavior\":\"deny\"").contains("use the logger, not print");
            op.until("card gone", d -> op.all("[data-approval-id]").isEmpty());
        }
    }

    @Test
    @Order(6)
    void hostsUsersAndAuditPagesRenderForAnAdmin() throws Exception {
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.ADMIN, "/hosts")) {
            c.until("host row", d -> !c.all("[data-host-id]").isEmpty());
            assertThat(c.text("[data-host-id]")).contains("e2e-host").contains("online");
            // filled in by hosts whose agentd reports them (heartbeat fields), "—" until then
            assertThat(c.text("[data-host-id] [data-field='outbox_backlog']"))
                    .matches("outbox backlog (—|\\d+)");
            assertThat(c.text("[data-host-id] [data-field='rss_bytes']"))
                    .matches("agentd RSS (—|\\d+\\.\\d MiB)");
            assertThat(c.text("[data-host-id] [data-field='heartbeat_at']"))
                    .matches("heartbeat (—|\\d+ (s|min|h|d) ago)");
            assertThat(c.buttons()).contains("Add host", "Register with a token", "Rotate token", "Remove");
            c.find("form.add input").sendKeys("devbox-7"); // Add host's enrollment line: EnrollDashboardE2eTest
            c.driver.findElement(By.xpath("//button[text()='Register with a token']")).click();
            c.until("token shown once", d -> !c.all(".secret code").isEmpty());
            assertThat(c.find(".secret code").getText()).startsWith("AGENTD_CONTROL_PLANE_URL=ws://")
                    .contains("AGENTD_CONTROL_PLANE_TOKEN=").endsWith("./commander agentd");
            c.until("new host listed", d -> c.find(".hosts").getText().contains("devbox-7"));
            c.screenshot("hosts-desktop");
            c.viewport(Chrome.PHONE);
            Thread.sleep(300);
            assertThat((Long) c.js(NO_SIDEWAYS)).isLessThanOrEqualTo(0L);
            c.screenshot("hosts-phone");
            c.viewport(Chrome.DESKTOP);
            c.find("nav a[href='/audit']").click();
            c.until("audit rows", d -> !c.all("[data-audit-id]").isEmpty());
            assertThat(c.find(".audit").getText()).contains("approval.decide");
            c.find("nav a[href='/users']").click();
            c.until("users", d -> !c.all("[data-user-id]").isEmpty());
            c.find("nav a[href='/jobs']").click();
            c.until("forms", d -> c.buttons().contains("Start session") && c.buttons().contains("Start job"));
        }
    }

    @Test
    @Order(7)
    void stoppingTheControlPlaneShowsOfflineAndRestartingBringsThePageBackLiveWithoutReload() throws Exception {
        String pane = tmux.window(dir, "bash", "--norc", "--noprofile");
        String id = session(pane);
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.OPERATOR, "/sessions/" + id)) {
            c.until("online", d -> "online".equals(c.find("[data-connection]").getAttribute("data-connection")));
            c.js("window.__marker = 1;");
            stack.controlPlane().stop();
            c.until("offline", Duration.ofSeconds(10),
                    d -> "offline".equals(c.find("[data-connection]").getAttribute("data-connection")));
            stack.startControlPlane();
            c.until("online again", Duration.ofSeconds(40),
                    d -> "online".equals(c.find("[data-connection]").getAttribute("data-connection")));
            tmux.run("send-keys", "-t", pane, "-l", "echo after-restart");
            tmux.run("send-keys", "-t", pane, "Enter");
            c.until("terminal live again", Duration.ofSeconds(30), d -> terminalText(c).contains("after-restart"));
            assertThat(c.js("return window.__marker")).as("no reload").isEqualTo(1L);
        }
    }

    /** Records every frame the page's WebSockets receive into {@code window.__frames}, from before the app runs. */
    static void recordFrames(Chrome c) {
        c.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                "window.__frames = []; const W = window.WebSocket; window.WebSocket = class extends W {"
                        + " constructor(...a) { super(...a); this.addEventListener('message',"
                        + " e => window.__frames.push(String(e.data))); } };"));
    }

    @Test
    @Order(8)
    void theSessionPageHearsOfItsOwnSessionOnlyAnotherSessionsChangeNeverReachesItsSocket() throws Exception {
        String mine = session(tmux.window(dir, "bash", "--norc", "--noprofile"));
        String other = session(tmux.window(dir, "bash", "--norc", "--noprofile"));
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP)) {
            recordFrames(c);
            c.signIn(Role.OPERATOR, "/sessions/" + mine);
            c.until("online", d -> "online".equals(c.find("[data-connection]").getAttribute("data-connection")));
            c.until("its record", d -> ((Long) c.js("return window.__frames.filter(f => f.includes("
                    + "'\"sessions.changed\"')).length")) > 0);
            Rest op = stack.rest(Role.OPERATOR);
            assertThat(op.post("/v1/sessions/" + other + "/commands",
                    Map.of("type", "rename_session", "name", "someone-else")).status()).isEqualTo(202);
            Await.value("the other session renamed", Duration.ofSeconds(20), () -> "someone-else".equals(
                    op.get("/v1/sessions/" + other).body().path("name").asText()));
            assertThat(op.post("/v1/sessions/" + mine + "/commands",
                    Map.of("type", "rename_session", "name", "this-one")).status()).isEqualTo(202);
            // the host's changes reach the control plane in order: once this one shows, the other's was fanned out
            c.until("renamed live", Duration.ofSeconds(20), d -> c.find("h1.title").getText().equals("this-one"));
            Object leaked = c.js("return window.__frames.filter(f => f.includes(arguments[0]) || "
                    + "f.includes('someone-else')).length", other);
            assertThat(leaked).as("frames about the other session on this page's socket").isEqualTo(0L);
            Object fleet = c.js("return window.__frames.filter(f => f.includes('\"sessions.changed\"')"
                    + " && !f.includes(arguments[0])).length", mine);
            assertThat(fleet).as("sessions.changed frames for any session but this one").isEqualTo(0L);
        }
    }

    @Test
    @Order(9)
    void aCodexJobStartedOnTheJobsPageShowsItsLinesAsTheyArriveAndItsEndWithoutReload() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.OPERATOR, "/jobs")) {
            c.until("online", d -> "online".equals(c.find("[data-connection]").getAttribute("data-connection")));
            WebElement jobForm = c.all("form.form").get(1);
            WebElement host = jobForm.findElement(By.cssSelector("select[aria-label='Host']"));
            c.until("hosts listed", d -> host.getText().contains("e2e-host"));
            new Select(host).selectByVisibleText("e2e-host");
            c.js("window.__marker = 1;");
            jobForm.findElement(By.cssSelector("input[aria-label='Working directory']")).sendKeys(work.toString());
            jobForm.findElement(By.cssSelector("textarea[aria-label='Prompt']")).sendKeys("count slowly [[slow:40]]");
            c.driver.findElement(By.xpath("//button[text()='Start job']")).click();
            c.until("following the new job", Duration.ofSeconds(30), d -> !c.all("[data-job-log]").isEmpty());
            c.js("window.__steps = 0; new MutationObserver(() => window.__steps++)"
                    + ".observe(document.querySelector('[data-job-log]'), {childList: true});");
            String sid = c.find("[data-job-log]").getAttribute("data-job-log");
            c.until("finished, shown live", Duration.ofSeconds(60), d -> "DONE".equals(
                    c.find(".joblog [data-job-status]").getAttribute("data-job-status")));
            c.until("its last lines", d -> c.find("[data-job-log]").getText().contains("finished DONE"));
            String log = c.find("[data-job-log]").getText();
            assertThat(log).contains("$ /bin/bash -lc 'echo hello'", "hello", "line 1", "line 40", "Done.",
                    "turn completed (200 in, 20 out tokens)");
            assertThat(log.indexOf("line 1\n")).as("in order").isLessThan(log.indexOf("line 40"));
            assertThat((Long) c.js("return window.__steps")).as("lines arrived in several steps, not at once")
                    .isGreaterThanOrEqualTo(2L);
            assertThat(c.js("return document.querySelector(arguments[0]).dataset.status",
                    ".jobs [data-session-id='" + sid + "']")).isEqualTo("DONE");
            assertThat(c.driver.getCurrentUrl()).endsWith("/jobs?job=" + sid);
            assertThat(c.js("return window.__marker")).as("no reload").isEqualTo(1L);
            assertThat(c.buttons()).doesNotContain("Cancel job");
            c.js("window.scrollTo(0, 0)");
            c.screenshot("jobs-desktop");
            c.viewport(Chrome.PHONE);
            Thread.sleep(300);
            assertThat((Long) c.js(NO_SIDEWAYS)).isLessThanOrEqualTo(0L);
            c.js("document.querySelector('.joblog').scrollIntoView()");
            c.screenshot("jobs-phone");
        }
    }
}
