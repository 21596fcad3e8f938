package dev.agentcommander.agentd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.schema.log.LogLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private final Map<String, String> env = Map.of("HOME", "/home/u", "HOSTNAME", "box");

    @Test
    void unknownKeyIsRejectedNamingItsFullPath() {
        assertThatThrownBy(() -> new ConfigLoader(env).parse("tmux:\n  poll_intervl_ms: 5\n"))
                .isInstanceOf(ConfigException.class).hasMessage("tmux.poll_intervl_ms: unknown key");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("providers:\n  codex:\n    exec: x\n"))
                .hasMessage("providers.codex.exec: unknown key");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("colour: red\n")).hasMessage("colour: unknown key");
    }

    @Test
    void wrongTypesAndValuesNameTheKey() {
        assertThatThrownBy(() -> new ConfigLoader(env).parse("tmux:\n  poll_interval_ms: fast\n"))
                .hasMessageStartingWith("tmux.poll_interval_ms: must be an integer");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("link:\n  window: 0\n"))
                .hasMessageStartingWith("link.window: must be between 1");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("approvals:\n  mode: maybe\n"))
                .hasMessageStartingWith("approvals.mode:");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("approvals:\n  timeout_action: allow\n"))
                .hasMessage("approvals.timeout_action: must be fallback or deny, not 'allow'");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("tmux: 3\n"))
                .hasMessage("tmux: must be a mapping of keys");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("hooks:\n  listen: 0.0.0.0:7717\n"))
                .hasMessageStartingWith("hooks.listen: must be a loopback address");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("control_plane:\n  url: http://x/\n"))
                .hasMessageStartingWith("control_plane.url:");
    }

    @Test
    void controlPlaneUrlMayListSeveralReplicasSeparatedByCommasAndEachIsChecked() {
        Config c = new ConfigLoader(env).parse("control_plane:\n  url: wss://a.example/v1/agent, "
                + "wss://b.example:8443/v1/agent\n");
        assertThat(c.controlPlane().urls()).extracting(java.net.URI::toString)
                .containsExactly("wss://a.example/v1/agent", "wss://b.example:8443/v1/agent");
        assertThat(new ConfigLoader(env).parse("").controlPlane().urls()).hasSize(1);
        assertThatThrownBy(() -> new ConfigLoader(env).parse("control_plane:\n  url: wss://a/v1/agent,,wss://b/\n"))
                .hasMessageStartingWith("control_plane.url: an empty URL");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("control_plane:\n  url: wss://a/v1/agent, http://b/\n"))
                .hasMessageStartingWith("control_plane.url: must be a ws:// or wss:// URL (got http://b/)");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("control_plane:\n  url: wss://a/x, wss://a/x\n"))
                .hasMessageStartingWith("control_plane.url: wss://a/x is listed twice");
    }

    @Test
    void defaultsApplyWhenKeysAreAbsent() {
        Config c = new ConfigLoader(Map.of("HOME", "/home/u", "XDG_STATE_HOME", "/xdg")).parse("");
        assertThat(c.controlPlane().url()).isEqualTo("ws://127.0.0.1:8080/v1/agent");
        assertThat(c.tmux().pollIntervalMs()).isEqualTo(1000);
        assertThat(c.tmux().socket()).isEmpty();
        assertThat(c.storage().outboxMaxBytes()).isEqualTo(1L << 30);
        assertThat(c.link().window()).isEqualTo(1000);
        assertThat(c.git().metadataTtlSeconds()).isEqualTo(30);
        assertThat(c.hooks().listen()).as("TCP is opt-in").isEmpty();
        assertThat(c.hooks().socket()).isEqualTo(c.storage().stateDir().resolve("hooks.sock"));
        assertThat(c.approvals().mode()).isEqualTo(dev.agentcommander.agentd.approvals.ApprovalMode.HOOK);
        assertThat(c.approvals().timeoutSeconds()).isEqualTo(600);
        assertThat(c.providers().codexExecPath()).isEqualTo("codex");
        assertThat(c.hostName()).isNotBlank();
        boolean root = "root".equals(System.getProperty("user.name"));
        assertThat(c.storage().stateDir()).isEqualTo(root ? Path.of("/var/lib/agentd") : Path.of("/xdg/agentd"));
    }

    @Test
    void timeoutActionDefaultsToFallbackAndTakesDenyFromTheFileOrTheEnvironment() {
        assertThat(new ConfigLoader(env).parse("").approvals().timeoutAction())
                .isEqualTo(dev.agentcommander.agentd.approvals.TimeoutAction.FALLBACK);
        assertThat(new ConfigLoader(env).parse("approvals:\n  timeout_action: deny\n").approvals().timeoutAction())
                .isEqualTo(dev.agentcommander.agentd.approvals.TimeoutAction.DENY);
        assertThat(new ConfigLoader(Map.of("HOME", "/home/u", "AGENTD_APPROVALS_TIMEOUT_ACTION", "deny")).parse("")
                .approvals().timeoutAction()).isEqualTo(dev.agentcommander.agentd.approvals.TimeoutAction.DENY);
    }

    @Test
    void logFormatIsTextByDefaultJsonFromTheFileOrTheEnvironmentAndNothingElse() {
        assertThat(new ConfigLoader(env).parse("").log().format()).isEqualTo(LogLines.Format.TEXT);
        assertThat(new ConfigLoader(env).parse("log:\n  format: json\n").log().format())
                .isEqualTo(LogLines.Format.JSON);
        assertThat(new ConfigLoader(Map.of("HOME", "/home/u", "AGENTD_LOG_FORMAT", "json")).parse("").log().format())
                .isEqualTo(LogLines.Format.JSON);
        assertThatThrownBy(() -> new ConfigLoader(env).parse("log:\n  format: xml\n"))
                .isInstanceOf(ConfigException.class).hasMessage("log.format: must be text or json, got 'xml'");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("log:\n  level: debug\n"))
                .hasMessage("log.level: unknown key");
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        Path tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, "tok-from-file\n");
        Map<String, String> e = Map.of("AGENTD_CONTROL_PLANE_URL", "wss://cp.example/v1/agent",
                "AGENTD_TMUX_SOCKET", "/tmp/s", "AGENTD_STORAGE_STATE_DIR", tmp.toString(),
                "AGENTD_HOST_NAME", "envhost", "AGENTD_TMUX_POLL_INTERVAL_MS", "250",
                "AGENTD_CONTROL_PLANE_TOKEN_FILE", tokenFile.toString());
        Config c = new ConfigLoader(e).parse("host_name: filehost\ntmux:\n  socket: /other\n");
        assertThat(c.controlPlane().url()).isEqualTo("wss://cp.example/v1/agent");
        assertThat(c.tmux().socket()).isEqualTo("/tmp/s");
        assertThat(c.tmux().pollIntervalMs()).isEqualTo(250);
        assertThat(c.storage().stateDir()).isEqualTo(tmp);
        assertThat(c.hostName()).isEqualTo("envhost");
        assertThat(c.controlPlane().token()).isEqualTo("tok-from-file");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AGENTD_LINK_WINDOW", "lots")).parse(""))
                .hasMessageContaining("link.window: must be an integer");
    }

    @Test
    void inlineTokenWinsAndAMissingExplicitTokenFileIsAnError() {
        Config c = new ConfigLoader(env).parse("control_plane:\n  token: abc\n  token_file: /nope\n");
        assertThat(c.controlPlane().token()).isEqualTo("abc");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("control_plane:\n  token_file: /nope/token\n"))
                .hasMessageStartingWith("control_plane.token_file:");
    }

    @Test
    void anIpv6HooksListenKeepsItsBracketsWhereURLsAndHookCommandsUseIt() {
        assertThat(new ConfigLoader(env).parse("hooks:\n  listen: \"[::1]:7717\"\n").hooks().listen())
                .hasValueSatisfying(l -> assertThat(l).hasToString("[::1]:7717"));
        assertThat(new ConfigLoader(env).parse("hooks:\n  listen: \"::1:7718\"\n").hooks().listen())
                .hasValueSatisfying(l -> assertThat(l).hasToString("[::1]:7718"));
        assertThat(new ConfigLoader(Map.of("AGENTD_HOOKS_LISTEN", "localhost:7719")).parse("").hooks().listen())
                .hasValueSatisfying(l -> assertThat(l).hasToString("localhost:7719"));
    }

    @Test
    void theHookSocketMustBeAnAbsolutePathShortEnoughForAUnixSocket() {
        assertThat(new ConfigLoader(env).parse("hooks:\n  socket: /run/agentd/h.sock\n").hooks().socket())
                .isEqualTo(Path.of("/run/agentd/h.sock"));
        assertThat(new ConfigLoader(Map.of("AGENTD_HOOKS_SOCKET", "/tmp/a/h.sock")).parse("").hooks().socket())
                .isEqualTo(Path.of("/tmp/a/h.sock"));
        assertThatThrownBy(() -> new ConfigLoader(env).parse("hooks:\n  socket: run/h.sock\n"))
                .hasMessageStartingWith("hooks.socket: must be an absolute path");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("hooks:\n  socket: /" + "d".repeat(120) + "/h.sock\n"))
                .hasMessageStartingWith("hooks.socket: ").hasMessageContaining("at most 107");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("storage:\n  state_dir: /" + "d".repeat(100) + "\n"))
                .as("the default socket under a long state_dir").hasMessageStartingWith("hooks.socket: ")
                .hasMessageContaining("storage.state_dir");
    }

    @Test
    void aFileWithEveryKeyIsRead() throws Exception {
        Path f = tmp.resolve("config.yaml");
        Files.writeString(f, """
                control_plane:
                  url: ws://10.0.0.1:8080/v1/agent
                  token: t
                host_name: devbox-1
                tmux:
                  bin: /usr/bin/tmux
                  socket: ""
                  poll_interval_ms: 500
                storage:
                  state_dir: %s
                  outbox_max_bytes: 10485760
                hooks:
                  listen: 127.0.0.1:7800
                approvals:
                  mode: both
                  timeout_seconds: 60
                providers:
                  codex:
                    exec_path: /opt/codex
                git:
                  metadata_ttl_seconds: 5
                link:
                  window: 50
                """.formatted(tmp));
        Config c = new ConfigLoader(env).load(f, true);
        assertThat(c.storage().outboxMaxBytes()).isEqualTo(10_485_760L);
        assertThat(c.hooks().listen().orElseThrow().port()).isEqualTo(7800);
        assertThat(c.approvals().mode()).isEqualTo(dev.agentcommander.agentd.approvals.ApprovalMode.BOTH);
        assertThat(c.link().window()).isEqualTo(50);
        assertThat(c.providers().codexExecPath()).isEqualTo("/opt/codex");
        assertThatThrownBy(() -> new ConfigLoader(env).load(tmp.resolve("missing.yaml"), true))
                .hasMessageContaining("not found");
    }

    @Test
    void caFileIsReadAtStartAndEveryProblemWithItNamesTheKey() throws Exception {
        Path bundle = Path.of("src/test/resources/tls/ca-bundle.pem").toAbsolutePath();
        String wss = "control_plane:\n  url: wss://commander.example.com/v1/agent\n  ca_file: ";
        Config c = new ConfigLoader(env).parse(wss + bundle + "\n");
        assertThat(c.controlPlane().caFile()).isEqualTo(bundle);
        assertThat(c.controlPlane().trustedCas()).hasSize(1).first()
                .satisfies(x -> assertThat(x.getSubjectX500Principal().getName()).isEqualTo("CN=agentd config test CA"));
        assertThat(new ConfigLoader(env).parse("").controlPlane().trustedCas()).as("no ca_file: none").isEmpty();

        Path missing = tmp.resolve("missing.pem");
        assertThatThrownBy(() -> new ConfigLoader(env).parse(wss + missing + "\n"))
                .hasMessage("control_plane.ca_file: " + missing + " does not exist");
        Path notPem = Files.writeString(tmp.resolve("not.pem"), "hello\n");
        assertThatThrownBy(() -> new ConfigLoader(env).parse(wss + notPem + "\n"))
                .hasMessage("control_plane.ca_file: " + notPem + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        Path broken = Files.writeString(tmp.resolve("broken.pem"),
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> new ConfigLoader(env).parse(wss + broken + "\n"))
                .hasMessageStartingWith("control_plane.ca_file: " + broken + " holds a certificate that cannot be read");
        assertThatThrownBy(() -> new ConfigLoader(env).parse(wss + "ca.pem\n"))
                .hasMessage("control_plane.ca_file: must be an absolute path (got ca.pem)");
        assertThatThrownBy(() -> new ConfigLoader(env).parse("control_plane:\n  url: ws://10.0.0.5:8080/v1/agent\n"
                + "  ca_file: " + bundle + "\n"))
                .hasMessageStartingWith("control_plane.ca_file: set, but control_plane.url is not wss://");
        Config fromEnv = new ConfigLoader(Map.of("HOME", "/home/u", "AGENTD_CONTROL_PLANE_URL",
                "wss://commander.example.com/v1/agent", "AGENTD_CONTROL_PLANE_CA_FILE", bundle.toString())).parse("");
        assertThat(fromEnv.controlPlane().trustedCas()).hasSize(1);
    }
}
