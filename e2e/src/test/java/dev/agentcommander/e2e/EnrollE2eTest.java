package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding a dev box as a user does (issue 19): the admin's one line installs agentd from the control plane and
 * enrolls it; the code works once; the token file is 0600; agentd connects with it and its panes appear. And the
 * install script refuses clearly: without a JDK 21 or newer, and with an argument that is not a code. Needs agentd's
 * packaged jar and libraries (the reactor's package phase), which the control plane serves as the download.
 */
class EnrollE2eTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    static void assumeAgentdPackaged() {
        Path target = ROOT.resolve("agentd/target");
        Assumptions.assumeTrue(Files.isRegularFile(target.resolve("agentd-0.1.0-SNAPSHOT.jar"))
                && Files.isDirectory(target.resolve("lib")), "agentd is not packaged (run through the reactor)");
    }

    private static String makeCode(Stack stack, Map<String, Object> body) {
        Rest.Reply r = stack.rest(Role.ADMIN).post("/v1/hosts/enroll-codes", body);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.body().get("command").asText();
    }

    private static String code(String line) {
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    @Test
    void theInstallLineEnrollsOnceWritesA0600TokenAndAgentdConnectsWithItsPanes() throws Exception {
        assumeAgentdPackaged();
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            PrivateTmux tmux = stack.tmux(Map.of());
            String line = makeCode(stack, Map.of("name", "enrolled-box"));
            DevBox box = new DevBox(dir.resolve("box"));

            DevBox.Result installed = box.install(line);
            assertThat(installed.exit()).as(installed.output()).isZero();
            assertThat(installed.output()).contains("agentd: enrolled this machine as host enrolled-box")
                    .contains("agentd: next:");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(box.tokenFile())))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(box.config)).contains("url: \"ws://127.0.0.1:" + stack.baseUrl()
                    .substring(stack.baseUrl().lastIndexOf(':') + 1) + "/v1/agent\"")
                    .contains("token_file: \"" + box.tokenFile() + "\"").contains("host_name: \"enrolled-box\"");
            assertThat(box.prefix.resolve("lib")).isDirectory();
            try (var left = Files.list(box.home.resolve("tmp"))) {
                assertThat(left.toList()).as("the download is removed").isEmpty();
            }
            assertThat(Files.isExecutable(box.prefix.resolve("agentd-hook"))).isTrue();
            JsonNode hosts = stack.rest(Role.VIEWER).get("/v1/hosts").body().get("items");
            assertThat(hosts).hasSize(1);
            String hostId = hosts.get(0).get("id").asText();

            JavaProcess agentd = box.startDaemon(dir.resolve("logs"), tmux.socket(), dir.resolve("state"));
            try {
                String pane = tmux.firstPane();
                JsonNode session = Await.value("the enrolled host's pane on the control plane", Duration.ofSeconds(90),
                        () -> {
                            JsonNode items = stack.rest(Role.VIEWER).get("/v1/sessions?host_id=" + hostId).body()
                                    .get("items");
                            for (JsonNode s : items) {
                                if (s.at("/tmux/pane_id").asText().equals(pane)) {
                                    return s;
                                }
                            }
                            return null;
                        });
                assertThat(session.get("host_id").asText()).isEqualTo(hostId);
            } finally {
                agentd.close();
            }

            DevBox again = new DevBox(dir.resolve("box2")); // a second box: its own config, the same install
            DevBox.Result second = box.agentd("enroll", stack.baseUrl(), code(line), "--config",
                    again.config.toString(), "--host-name", "second-box");
            assertThat(second.exit()).as(second.output()).isEqualTo(1);
            assertThat(second.output()).contains("used already").contains("nothing written");
            assertThat(again.tokenFile()).doesNotExist();
            assertThat(stack.rest(Role.VIEWER).get("/v1/hosts").body().get("items")).as("no second host").hasSize(1);

            String expiring = code(makeCode(stack, Map.of("ttl_seconds", 60)));
            try (var c = stack.sql(); var ps = c.prepareStatement("UPDATE enroll_codes SET created_at = now() - "
                    + "interval '2 hours', expires_at = now() - interval '1 hour' WHERE used_at IS NULL")) {
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            DevBox.Result expired = box.agentd("enroll", stack.baseUrl(), expiring, "--config",
                    again.config.toString(), "--host-name", "late-box");
            assertThat(expired.exit()).as(expired.output()).isEqualTo(1);
            assertThat(expired.output()).contains("expired");
            assertThat(again.tokenFile()).doesNotExist();
            assertThat(stack.rest(Role.VIEWER).get("/v1/hosts").body().get("items")).hasSize(1);

            DevBox.Result refused = box.agentd("enroll", stack.baseUrl(), code(makeCode(stack, Map.of())),
                    "--config", box.config.toString());
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.output()).contains(box.tokenFile() + " exists").contains("--force");
            assertThat(stack.queryLong(
                    "SELECT count(*) FROM enroll_codes WHERE used_at IS NULL AND expires_at > now()"))
                    .as("refused before the code was sent: still unspent").isEqualTo(1);
        }
    }

    @Test
    void theInstallScriptFailsClearlyWithoutAJdk21AndNeverRunsItsArgument() throws Exception {
        try (Stack stack = new Stack(dir)) {
            stack.startDatabase();
            stack.startControlPlane();
            Path script = dir.resolve("install.sh");
            HttpResponse<Path> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(stack.baseUrl() + "/install.sh")).build(), HttpResponse.BodyHandlers.ofFile(script));
            assertThat(got.statusCode()).isEqualTo(200);
            Path jdk = dir.resolve("old-jdk");
            Path fakeJava = Files.createDirectories(jdk.resolve("bin")).resolve("java");
            Files.writeString(fakeJava, "#!/bin/sh\necho 'openjdk version \"17.0.13\" 2024-10-15' >&2\n"
                    + "echo 'OpenJDK Runtime Environment (build 17.0.13+11-Debian-2)' >&2\n");
            Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
            DevBox box = new DevBox(dir.resolve("box"));
            Map<String, String> env = box.env();
            env.put("JAVA_HOME", jdk.toString());
            env.put("PATH", jdk.resolve("bin") + ":/usr/bin:/bin");
            env.put("JDK_SEARCH_PATH", Files.createDirectories(dir.resolve("no-jdks")).toString());

            DevBox.Result noJdk = run(env, "/bin/sh", script.toString(), "ace_" + "x".repeat(43));
            assertThat(noJdk.exit()).isEqualTo(1);
            assertThat(noJdk.output()).contains("agentd needs a JDK 21 or newer")
                    .contains(fakeJava + " (version 17)").contains("Install one");
            assertThat(box.prefix).as("nothing downloaded or installed").doesNotExist();

            Path marker = dir.resolve("PWNED");
            DevBox.Result bad = run(box.env(), "/bin/sh", script.toString(), "ace_$(touch " + marker + ")");
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.output()).contains("enrollment code");
            DevBox.Result badName = run(box.env(), "/bin/sh", script.toString(), "ace_" + "x".repeat(43),
                    "--host-name", "x;touch " + marker);
            assertThat(badName.exit()).isEqualTo(1);
            assertThat(badName.output()).contains("--host-name may hold only");
            assertThat(marker).doesNotExist();
            assertThat(box.prefix).doesNotExist();
        }
    }

    private static DevBox.Result run(Map<String, String> env, String... cmd) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return new DevBox.Result(p.exitValue(), out);
    }
}
