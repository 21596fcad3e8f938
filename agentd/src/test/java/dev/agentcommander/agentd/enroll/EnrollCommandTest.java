package dev.agentcommander.agentd.enroll;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code agentd enroll} does on the box itself: it writes exactly what {@code agentd run} reads, and every
 * refusal it can make locally comes before the code is sent (the end-to-end test covers the real control plane).
 */
class EnrollCommandTest {
    private static final String CODE = "ace_" + "a1B2c3D4e5".repeat(4) + "xyz";

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> sent = new ArrayList<>();

    /** Answers as the control plane does for a good code, and records that it was asked. */
    private final EnrollClient answering = new EnrollClient() {
        @Override
        Enrolled enroll(String baseUrl, String code, String hostName) {
            sent.add(baseUrl + " " + code + " " + hostName);
            return new Enrolled("h_0123456789abcdef", hostName, "tok-" + sent.size());
        }
    };

    private int run(String user, String... args) {
        Enroll e = new Enroll(Map.of("HOME", tmp.resolve("home").toString()), user, null, answering,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return e.run(List.of(args));
    }

    @Test
    void writesATokenFile0600AndAConfigThatAgentdRunReads() throws Exception {
        assertThat(run("alice", "https://commander.example.com/", CODE, "--host-name", "devbox-7")).isZero();
        Path config = tmp.resolve("home/.config/agentd/config.yaml");
        Path token = config.resolveSibling("token");
        assertThat(sent).containsExactly("https://commander.example.com " + CODE + " devbox-7");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())))
                .isEqualTo("rwx------");
        Config c = new ConfigLoader(Map.of()).load(config, true);
        assertThat(c.controlPlane().url()).isEqualTo("wss://commander.example.com/v1/agent");
        assertThat(c.controlPlane().token()).isEqualTo("tok-1");
        assertThat(c.controlPlane().tokenFile()).isEqualTo(token);
        assertThat(c.hostName()).isEqualTo("devbox-7");
        assertThat(out.toString()).contains("enrolled this machine as host devbox-7")
                .contains("sudo systemctl enable --now agentd@alice");
        assertThat(ConfigLoader.defaultFile(Map.of("HOME", tmp.resolve("home").toString()), "alice"))
                .as("agentd run without --config finds it").isEqualTo(config);
    }

    @Test
    void anExistingTokenIsKeptUnlessForcedAndTheCodeIsNotSent() throws Exception {
        assertThat(run("alice", "http://127.0.0.1:8080", CODE, "--host-name", "box")).isZero();
        Path token = tmp.resolve("home/.config/agentd/token");
        assertThat(run("alice", "http://127.0.0.1:8080", CODE, "--host-name", "box")).isEqualTo(1);
        assertThat(err.toString()).contains(token + " exists").contains("--force");
        assertThat(sent).hasSize(1);
        assertThat(Files.readString(token).strip()).isEqualTo("tok-1");

        assertThat(run("alice", "http://127.0.0.1:8080", CODE, "--host-name", "box", "--force")).isZero();
        assertThat(Files.readString(token).strip()).isEqualTo("tok-2");
        assertThat(token.resolveSibling("config.yaml.bak")).exists();
        Config c = new ConfigLoader(Map.of()).load(token.resolveSibling("config.yaml"), true);
        assertThat(c.controlPlane().url()).isEqualTo("ws://127.0.0.1:8080/v1/agent");
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsSentOrWritten() {
        assertThat(run("alice", "ftp://x", CODE)).isEqualTo(2);
        assertThat(run("alice", "http://x", "ace_short")).isEqualTo(2);
        assertThat(run("alice", "http://x", CODE, "--host-name", "a;b")).isEqualTo(2);
        assertThat(run("alice", "http://x", CODE, "--owner", "$(id)")).isEqualTo(2);
        assertThat(run("alice", "http://x")).isEqualTo(2);
        assertThat(err.toString()).contains("URL must be").contains("CODE is not an enrollment code")
                .contains("--host-name a;b is not a host name");
        assertThat(sent).isEmpty();
        assertThat(tmp.resolve("home")).doesNotExist();
    }

    @Test
    void withoutAUserConfigAndForRootAgentdReadsTheSystemConfig() throws Exception {
        Map<String, String> env = Map.of("HOME", tmp.toString());
        assertThat(ConfigLoader.defaultFile(env, "alice")).isEqualTo(ConfigLoader.DEFAULT_FILE);
        Files.createDirectories(tmp.resolve(".config/agentd"));
        Files.writeString(tmp.resolve(".config/agentd/config.yaml"), "host_name: x\n");
        assertThat(ConfigLoader.defaultFile(env, "alice")).isEqualTo(tmp.resolve(".config/agentd/config.yaml"));
        assertThat(ConfigLoader.defaultFile(env, "root")).isEqualTo(ConfigLoader.DEFAULT_FILE);
        assertThat(ConfigLoader.defaultFile(Map.of("HOME", "/nonexistent", "XDG_CONFIG_HOME", tmp.resolve(".config")
                .toString()), "alice")).isEqualTo(tmp.resolve(".config/agentd/config.yaml"));
    }
}
