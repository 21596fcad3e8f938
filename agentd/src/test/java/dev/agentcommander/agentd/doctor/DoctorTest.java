package dev.agentcommander.agentd.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentcommander.agentd.config.ConfigLoader;
import dev.agentcommander.agentd.hooks.InstallHooks;
import dev.agentcommander.agentd.link.SocketTransport;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.schema.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentd doctor} against real broken setups on this machine: a wrong tmux socket, tmux's socket hidden by
 * a private /tmp or owned by another user, a state dir agentd cannot use, a control plane nobody serves, Claude
 * Code without our hooks. Each finding must fail, name the problem and carry its fix, and the report's exit status
 * must say so. (The control plane that refuses a token, and a healthy setup, are in e2e's DoctorE2eTest.)
 */
class DoctorTest {
    static final long NOBODY = 65534;

    @TempDir
    Path tmp;

    private final Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH",
            "/usr/bin:/bin")));

    private String yaml(String tmuxSocket, Path stateDir, String url) {
        return "control_plane:\n  url: " + url + "\n  token: t0k\ntmux:\n  socket: " + tmuxSocket + "\nstorage:\n"
                + "  state_dir: " + stateDir + "\n";
    }

    private Doctor.Host host(long uid, Path tmpRoot, Path mountinfo) throws IOException {
        Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(tmp.resolve("project"));
        return new Doctor.Host(env, uid, "alice", tmp.resolve("home"), tmp.resolve("project"), tmpRoot, mountinfo);
    }

    private List<Check> doctor(String yaml, Doctor.Host host) {
        return new Doctor(new ConfigLoader(Map.of()).parse(yaml), host, new SocketTransport(Protocol.MAX_FRAME_BYTES),
                Clock.systemUTC(), Duration.ofSeconds(5)).run();
    }

    private static Check named(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + checks));
    }

    private static long myUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aWrongTmuxSocketFailsAndNamesTheSocketTheUserIsIn() throws Exception {
        try (PrivateTmux tmux = PrivateTmux.start(tmp.resolve("tmux"))) {
            env.put("TMUX", tmux.socket() + ",4242,0"); // the doctor runs in a pane of the server the user uses
            Path wrong = tmp.resolve("elsewhere.sock");
            List<Check> checks = doctor(yaml(wrong.toString(), tmp.resolve("state"), "ws://127.0.0.1:"
                    + closedPort() + "/v1/agent"), host(myUid(), tmp, tmp.resolve("none")));
            Check server = named(checks, "tmux.server");
            assertThat(server.status()).isEqualTo(Check.Status.FAIL);
            assertThat(server.detail()).contains(wrong.toString());
            assertThat(server.fix()).contains("set tmux.socket: " + tmux.socket());
            assertThat(Report.exitCode(checks)).isEqualTo(1);

            List<Check> right = doctor(yaml(tmux.socket(), tmp.resolve("state"), "ws://127.0.0.1:9/v1/agent"),
                    host(myUid(), tmp, tmp.resolve("none")));
            assertThat(named(right, "tmux.server").status()).isEqualTo(Check.Status.OK);
            assertThat(named(right, "tmux.server").detail()).startsWith("1 pane on " + tmux.socket());
            assertThat(named(right, "tmux.binary").detail()).matches("tmux \\S+ at .*");
        }
    }

    @Test
    void theDefaultServerHiddenByPrivateTmpOrRunningForAnotherUserGetsThoseFixes() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("fake-tmp"));
        Path mountinfo = tmp.resolve("mountinfo");
        Files.writeString(mountinfo, "24 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
                + "61 24 254:1 /tmp/systemd-private-5e1f-agentd@alice.service-Q2x/tmp /tmp rw,relatime shared:1 - "
                + "ext4 /dev/vda1 rw\n");
        Check server = named(doctor(yaml("", tmp.resolve("state"), "ws://127.0.0.1:9/v1/agent"),
                host(4711, root, mountinfo)), "tmux.server");
        assertThat(server.status()).isEqualTo(Check.Status.FAIL);
        assertThat(server.detail()).contains(root.resolve("tmux-4711/default").toString());
        assertThat(server.fix()).contains("PrivateTmp").contains("PrivateTmp=false");

        assumeTrue(myUid() == 0, "making a tmux directory of another user needs root");
        Path theirs = Files.createDirectories(root.resolve("tmux-" + NOBODY));
        Files.writeString(theirs.resolve("default"), "");
        Files.setAttribute(theirs, "unix:uid", (int) NOBODY);
        Check other = named(doctor(yaml("", tmp.resolve("state"), "ws://127.0.0.1:9/v1/agent"),
                host(4711, root, tmp.resolve("none"))), "tmux.server");
        assertThat(other.status()).isEqualTo(Check.Status.FAIL);
        assertThat(other.fix()).contains("uid " + NOBODY).contains("agentd runs as alice (uid 4711)")
                .contains("agentd@USER").doesNotContain("PrivateTmp");
    }

    @Test
    void aStateDirAgentdCannotUseFailsWithTheCommandThatFixesIt() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        List<Check> checks = doctor(yaml("", file.resolve("state"), "ws://127.0.0.1:9/v1/agent"),
                host(myUid(), tmp, tmp.resolve("none")));
        Check state = named(checks, "state_dir");
        assertThat(state.status()).isEqualTo(Check.Status.FAIL);
        assertThat(state.detail()).contains(file.resolve("state").toString()).contains("not writable");
        assertThat(state.fix()).contains("install -d -o alice -m 700 " + file.resolve("state"));
        assertThat(Report.exitCode(checks)).isEqualTo(1);

        Path fresh = tmp.resolve("fresh-state");
        assertThat(named(doctor(yaml("", fresh, "ws://127.0.0.1:9/v1/agent"), host(myUid(), tmp,
                tmp.resolve("none"))), "state_dir").status()).as("one agentd can create").isEqualTo(Check.Status.OK);
        assertThat(fresh).as("the doctor changes nothing").doesNotExist();

        Path owned = Files.createDirectories(tmp.resolve("theirs"));
        if (myUid() == 0) {
            Files.setAttribute(owned, "unix:uid", (int) NOBODY);
        } else { // not root: our own directory, but we check as if we were another uid
            owned = Files.createDirectories(tmp.resolve("mine"));
        }
        long asUid = myUid() == 0 ? myUid() : myUid() + 1;
        Check foreign = named(doctor(yaml("", owned, "ws://127.0.0.1:9/v1/agent"), host(asUid, tmp,
                tmp.resolve("none"))), "state_dir");
        assertThat(foreign.status()).isEqualTo(Check.Status.FAIL);
        assertThat(foreign.detail()).contains("belongs to").contains("refuses it");
        assertThat(foreign.fix()).contains("sudo chown -R alice: " + owned);
    }

    @Test
    void anUnreachableControlPlaneFailsAtTheLayerThatBreaks() throws Exception {
        int port = closedPort();
        List<Check> checks = doctor(yaml("", tmp.resolve("state"), "ws://127.0.0.1:" + port + "/v1/agent"),
                host(myUid(), tmp, tmp.resolve("none")));
        assertThat(named(checks, "control_plane.dns").status()).isEqualTo(Check.Status.OK);
        Check tcp = named(checks, "control_plane.tcp");
        assertThat(tcp.status()).isEqualTo(Check.Status.FAIL);
        assertThat(tcp.detail()).contains("127.0.0.1:" + port);
        assertThat(tcp.fix()).contains("start the control plane").contains("control_plane.url");
        assertThat(checks).noneMatch(c -> c.name().equals("control_plane.token")); // nothing past the broken layer
        assertThat(Report.exitCode(checks)).isEqualTo(1);

        assertThat(checks).noneMatch(c -> c.name().equals("control_plane.url")); // loopback ws:// is fine
        List<Check> remote = doctor(yaml("", tmp.resolve("state"), "ws://no-such-host.invalid/v1/agent"),
                host(myUid(), tmp, tmp.resolve("none")));
        assertThat(named(remote, "control_plane.url").status()).as("the token in clear").isEqualTo(Check.Status.WARN);
        assertThat(named(remote, "control_plane.url").fix()).contains("wss://");
        Check dns = named(remote, "control_plane.dns");
        assertThat(dns.status()).isEqualTo(Check.Status.FAIL);
        assertThat(dns.detail()).contains("no-such-host.invalid");
        assertThat(dns.fix()).contains("control_plane.url");
    }

    @Test
    void aFailoverListOfUrlsIsProbedUrlByUrl() throws Exception {
        int a = closedPort();
        int b = closedPort();
        while (b == a) { // a repeated URL is a config error, not what this test is about
            b = closedPort();
        }
        String urls = "ws://127.0.0.1:" + a + "/v1/agent, ws://127.0.0.1:" + b + "/v1/agent";
        List<Check> checks = doctor(yaml("", tmp.resolve("state"), urls), host(myUid(), tmp, tmp.resolve("none")));
        List<Check> tcp = checks.stream().filter(c -> c.name().equals("control_plane.tcp")).toList();
        assertThat(tcp).hasSize(2).allMatch(c -> c.status() == Check.Status.FAIL);
        assertThat(tcp.get(0).detail()).contains("127.0.0.1:" + a);
        assertThat(tcp.get(1).detail()).contains("127.0.0.1:" + b);
        assertThat(checks).noneMatch(c -> c.name().equals("control_plane.url")); // a list is one valid key
    }

    @Test
    void missingClaudeHooksFailInHookModeWithTheInstallCommandAndPassOnceInstalled() throws Exception {
        Doctor.Host h = host(myUid(), tmp, tmp.resolve("none"));
        String config = yaml("", tmp.resolve("state"), "ws://127.0.0.1:9/v1/agent");
        Check missing = named(doctor(config, h), "claude.hooks.user");
        assertThat(missing.status()).isEqualTo(Check.Status.FAIL);
        assertThat(missing.detail()).contains(h.home().resolve(".claude/settings.json").toString());
        assertThat(missing.fix()).contains("agentd install-hooks");
        assertThat(named(doctor(config + "approvals:\n  mode: keys\n", h), "claude.hooks.user").status())
                .as("keys mode answers on screen: only a warning").isEqualTo(Check.Status.WARN);

        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(sink, true);
        Map<String, String> installEnv = Map.of("XDG_DATA_HOME", tmp.resolve("data").toString());
        assertThat(new InstallHooks(h.home(), h.cwd(), installEnv, print, print).run(List.of())).isZero();
        List<Check> installed = doctor(config, h);
        assertThat(named(installed, "claude.hooks.user").status()).isEqualTo(Check.Status.OK);
        assertThat(named(installed, "claude.hooks.project").status()).isEqualTo(Check.Status.OK);

        Files.delete(tmp.resolve("data/agentd/bin/agentd-hook")); // the script the settings run is gone
        Check gone = named(doctor(config, h), "claude.hooks.user");
        assertThat(gone.status()).isEqualTo(Check.Status.FAIL);
        assertThat(gone.detail()).contains("agentd-hook").contains("does not exist");
        assertThat(gone.fix()).contains("agentd install-hooks");

        Files.writeString(h.home().resolve(".claude/settings.json"), "{ not json");
        Check broken = named(doctor(config, h), "claude.hooks.user");
        assertThat(broken.status()).isEqualTo(Check.Status.FAIL);
        assertThat(broken.detail()).contains("not valid JSON");
        assertThat(broken.fix()).startsWith("repair ");
    }

    @Test
    void theJsonReportIsOneDocumentWithEveryFindingAndItsFix() throws Exception {
        List<Check> checks = List.of(Check.ok("tmux.binary", "tmux 3.3a"), Check.fail("state_dir", "no", "chown it"),
                Check.warn("codex", "missing", "install it"));
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Report.json(checks, "1.2.3"));
        assertThat(root.path("ok").asBoolean(true)).isFalse();
        assertThat(root.path("checks")).hasSize(3);
        assertThat(root.path("checks").get(1).path("status").asText()).isEqualTo("fail");
        assertThat(root.path("checks").get(1).path("fix").asText()).isEqualTo("chown it");
        assertThat(root.path("checks").get(0).has("fix")).isFalse();
        assertThat(Report.exitCode(List.of(checks.get(0), checks.get(2)))).as("a warning alone exits 0").isZero();
        assertThat(Report.text(checks, "1.2.3")).contains("fail state_dir").contains("fix: chown it")
                .contains("1 problem to fix");
    }
}
