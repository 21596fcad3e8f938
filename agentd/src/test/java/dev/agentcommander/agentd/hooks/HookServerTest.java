package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.RecordingOutbound;
import dev.agentcommander.agentd.testkit.RecordingStatus;
import dev.agentcommander.schema.AgentMessage;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver's HTTP contract on its Unix socket: what is stored, what is refused, and when it answers. */
class HookServerTest {
    static final String STOP = "{\"hook_event_name\":\"Stop\"}";

    @TempDir
    Path tmp;
    final RecordingOutbound outbound = new RecordingOutbound();
    final RecordingStatus status = new RecordingStatus();
    final FakeSessions directory = new FakeSessions();
    ApprovalBroker broker;
    HookServer server;
    Path socket;

    @BeforeEach
    void start() throws Exception {
        directory.add("%3", "s-3");
        broker = new ApprovalBroker(outbound, status, null, Clock.systemUTC(), ApprovalMode.HOOK,
                Duration.ofSeconds(600), 8).start();
        socket = tmp.resolve("run/hooks.sock");
        server = start(HookServer.Settings.of(socket).withHeartbeat(Duration.ofMillis(100))
                .withPaneWait(Duration.ZERO));
    }

    HookServer start(HookServer.Settings settings) throws Exception {
        HookServer s = new HookServer(settings, outbound, directory, status, broker);
        s.start();
        return s;
    }

    @AfterEach
    void stop() {
        server.close();
        broker.close();
    }

    RawHttp.Reply post(String pane, String json) throws Exception {
        return RawHttp.send(socket, RawHttp.hook(pane, json));
    }

    @Test
    void appendsTheEventBeforeAnswering200() throws Exception {
        RawHttp.Reply r = post("%3",
                "{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(outbound.all()).singleElement().isInstanceOfSatisfying(AgentMessage.EventsAppend.class, e -> {
            assertThat(e.eventType()).isEqualTo("hook.PreToolUse");
            assertThat(e.sessionId()).isEqualTo("s-3");
            assertThat(e.data().path("tool_input").path("command").asText()).isEqualTo("ls");
            assertThat(e.data().path("pane_id").asText()).isEqualTo("%3");
        });
    }

    @Test
    void theSocketIs0600InADirectoryOnlyAgentdsUserMayEnterAndGoesAwayOnClose() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");
        server.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void oversizedBodyIs413AfterTheBodyIsReadAndNothingIsStored() throws Exception {
        String big = "{\"hook_event_name\":\"PreToolUse\",\"x\":\"" + "a".repeat(HookServer.MAX_BODY_BYTES) + "\"}";
        RawHttp.Reply r = post("%3", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).contains("too_large");
        assertThat(outbound.all()).isEmpty();
        assertThat(status.calls()).isEmpty();
    }

    @Test
    void malformedOrIncompleteJsonIs400AndNothingIsStored() throws Exception {
        for (String bad : new String[] {"{not json", "[1,2]", "\"str\"", "{}", "{\"hook_event_name\":42}",
                "{\"hook_event_name\":\"a b\"}", ""}) {
            RawHttp.Reply r = post("%3", bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.body()).contains("malformed");
        }
        assertThat(outbound.all()).isEmpty();
        assertThat(status.calls()).isEmpty();
    }

    @Test
    void onlyPostOfJsonOnTheHookPathIsServed() throws Exception {
        assertThat(RawHttp.send(socket, RawHttp.request("GET", "/hooks/claude?pane=%253",
                RawHttp.jsonHeaders("agentd"), "")).status()).isEqualTo(405);
        assertThat(RawHttp.send(socket, RawHttp.request("POST", "/hooks/claudeX?pane=%253",
                RawHttp.jsonHeaders("agentd"), STOP)).status()).isEqualTo(404);
        assertThat(RawHttp.send(socket, RawHttp.request("POST", "/hooks/claude?pane=%253",
                Map.of("Host", "agentd", "Content-Type", "text/plain"), STOP)).status()).isEqualTo(415);
        assertThat(RawHttp.send(socket, RawHttp.request("POST", "/hooks/claude?pane=%253",
                Map.of("Host", "agentd"), STOP)).status()).isEqualTo(415);
        assertThat(RawHttp.send(socket, RawHttp.request("POST", "/hooks/claude?pane=%253",
                Map.of("Host", "agentd", "Content-Type", "application/json; charset=utf-8"), STOP)).status())
                .isEqualTo(200);
        assertThat(outbound.all()).hasSize(1);
    }

    @Test
    void malformedHttpIsRefusedWithAClearStatus() throws Exception {
        String ok = RawHttp.hook("%3", STOP);
        assertThat(RawHttp.send(socket, "POST /hooks/claude HTTP/1.0\r\nContent-Length: 0\r\n\r\n").status())
                .isEqualTo(505);
        assertThat(RawHttp.send(socket, "POST  /hooks/claude HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.send(socket, "POST hooks HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
        assertThat(RawHttp.send(socket, ok.replace("Host: agentd\r\n", "Host: agentd\r\n folded\r\n")).status())
                .isEqualTo(400);
        assertThat(RawHttp.send(socket, ok.replace("Host: agentd\r\n", "Content-Length: 3\r\n")).status())
                .isEqualTo(400); // two Content-Lengths
        assertThat(RawHttp.send(socket, ok.replace("Host: agentd\r\n", "Transfer-Encoding: chunked\r\n")).status())
                .isEqualTo(411);
        assertThat(RawHttp.send(socket, ok.replace("Host: agentd\r\n", "X-Pad: " + "p".repeat(20_000) + "\r\n"))
                .status()).isEqualTo(431);
        assertThat(outbound.all()).isEmpty();
    }

    @Test
    void aPaneIdThatIsNotATmuxPaneIs404AndStoresNothing() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, RawHttp.request("POST", "/hooks/claude?pane=-t%20victim",
                RawHttp.jsonHeaders("agentd"), STOP));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("unknown_pane");
        assertThat(post(null, STOP).status()).isEqualTo(404);
        assertThat(outbound.all()).isEmpty();
        assertThat(status.calls()).isEmpty();
    }

    /** Item 7's flood: thousands of made-up {@code %N} get 404 and reach neither the outbox nor the detector. */
    @Test
    void hooksForPanesTheScannerDoesNotKnowAre404AndLeaveNoState() throws Exception {
        for (int i = 0; i < 3000; i++) {
            assertThat(post("%" + (1000 + i), STOP).status()).isEqualTo(404);
        }
        assertThat(post("%3", STOP).status()).isEqualTo(200);
        assertThat(outbound.all()).singleElement().isInstanceOfSatisfying(AgentMessage.EventsAppend.class,
                e -> assertThat(e.sessionId()).isEqualTo("s-3"));
        assertThat(status.calls()).extracting(RecordingStatus.Call::paneId).containsExactly("%3");
    }

    @Test
    void aPaneOpenedAMomentAgoGetsOneRescanToAppear() throws Exception {
        server.close();
        server = start(HookServer.Settings.of(socket).withPaneWait(Duration.ofSeconds(2)));
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            directory.add("%8", "s-8"); // the scan the poke asked for
        });
        assertThat(post("%8", "{\"hook_event_name\":\"SessionStart\"}").status()).isEqualTo(200);
        assertThat(directory.pokes()).isGreaterThanOrEqualTo(1);
        assertThat(outbound.of(AgentMessage.EventsAppend.class)).singleElement()
                .satisfies(e -> assertThat(e.sessionId()).isEqualTo("s-8"));
    }

    @Test
    void outboxFailureIs503SoTheHookPrintsNothing() throws Exception {
        server.close();
        server = new HookServer(HookServer.Settings.of(socket).withPaneWait(Duration.ZERO), m -> {
            throw new IllegalStateException("outbox full");
        }, directory, status, broker);
        server.start();
        assertThat(post("%3", STOP).status()).isEqualTo(503);
    }

    @Test
    void aClientThatSaysNothingLosesItsSlotAndTheNextHookIsServed() throws Exception {
        server.close();
        server = start(HookServer.Settings.of(socket).withPaneWait(Duration.ZERO)
                .withLimits(Duration.ofMillis(300), 2));
        try (SocketChannel a = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel b = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            a.connect(UnixDomainSocketAddress.of(socket));
            b.connect(UnixDomainSocketAddress.of(socket));
            Thread.sleep(100);
            assertThat(post("%3", STOP).status()).as("both slots taken: closed unanswered").isEqualTo(-1);
            Thread.sleep(600); // past the read timeout: the silent two are closed
            assertThat(a.read(java.nio.ByteBuffer.allocate(1))).isEqualTo(-1);
            assertThat(post("%3", STOP).status()).isEqualTo(200);
        }
    }

    @Test
    void refusesToListenBeyondLoopback() {
        assertThatThrownBy(() -> ListenAddress.parse("0.0.0.0:7717")).hasMessageContaining("hooks.listen")
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> ListenAddress.parse("7717")).hasMessageContaining("hooks.listen");
        assertThatThrownBy(() -> ListenAddress.parse("127.0.0.1:99999")).hasMessageContaining("hooks.listen");
        assertThat(ListenAddress.parse("[::1]:7717").socketAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(ListenAddress.parse("localhost:0").socketAddress().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void scriptReachesAnOptInIpv6LoopbackListener() throws Exception {
        server.close();
        try {
            server = start(HookServer.Settings.of(socket).withListen(ListenAddress.parse("[::1]:0"))
                    .withPaneWait(Duration.ZERO));
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        HookScript.Result r = HookScript.run("[::1]:" + server.tcpAddress().getPort(), "%3", STOP);
        assertThat(r.exit()).isZero();
        assertThat(outbound.of(AgentMessage.EventsAppend.class)).singleElement()
                .satisfies(e -> assertThat(e.sessionId()).isEqualTo("s-3"));
    }

    @Test
    void theJarCarriesTheOneHookScriptTheLauncherRuns() throws Exception {
        byte[] resource;
        try (var in = HookServer.class.getResourceAsStream("agentd-hook")) {
            assertThat(in).isNotNull();
            resource = in.readAllBytes();
        }
        assertThat(resource).isEqualTo(Files.readAllBytes(Path.of("src/main/sh/agentd-hook")));
        assertThat(Files.isExecutable(Path.of("src/main/sh/agentd-hook"))).isTrue();
        assertThat(new String(resource, StandardCharsets.UTF_8)).contains("--unix-socket");
    }
}
