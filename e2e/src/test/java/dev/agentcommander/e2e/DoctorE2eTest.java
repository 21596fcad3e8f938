package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentcommander.agentd.hooks.InstallHooks;
import dev.agentcommander.agentd.testkit.Await;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentd doctor --json} as a user runs it, against a real control plane on port 0: a token the control plane
 * refuses fails with the fix and a non-zero exit; a healthy box (tmux, state, hooks installed, a running agentd
 * with a valid token) exits 0, and the doctor's probe leaves the running agentd's link alone.
 */
class DoctorE2eTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    @TempDir
    Path tmp;

    private record Run(int exit, String output, JsonNode json) {
        JsonNode check(String name) {
            return StreamSupport.stream(json.path("checks").spliterator(), false)
                    .filter(c -> c.path("name").asText().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no check " + name + " in " + output));
        }
    }

    private Path config(String token, PrivateTmux tmux) throws IOException {
        Path tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Path config = tmp.resolve("agentd.yaml");
        Files.writeString(config, "control_plane:\n  url: " + cp.ws("/v1/agent") + "\n  token_file: " + tokenFile
                + "\nhost_name: doctor-box\ntmux:\n  socket: " + tmux.socket() + "\n  poll_interval_ms: 500\n"
                + "storage:\n  state_dir: " + tmp.resolve("state") + "\n");
        return config;
    }

    /** {@code agentd doctor --json --config FILE} as its own JVM, with {@code home} as the user's home. */
    private Run doctor(Path config, Path home) throws Exception {
        try (JavaProcess p = JavaProcess.start("doctor", tmp.resolve("logs"), List.of("-Duser.home=" + home),
                "dev.agentcommander.agentd.Main", List.of("doctor", "--json", "--config", config.toString()),
                Map.of("HOME", home.toString()))) {
            Integer exit = p.awaitExit(Duration.ofSeconds(60));
            assertThat(exit).as("doctor ends; it said:\n%s", p.output()).isNotNull();
            String out = p.output();
            int start = out.indexOf("{\n");
            assertThat(start).as("a JSON document in:\n%s", out).isNotNegative();
            return new Run(exit, out, new ObjectMapper().readTree(out.substring(start)));
        }
    }

    private Path homeWithHooks() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(sink, true);
        int installed = new InstallHooks(home, tmp, Map.of(), print, print).run(List.of());
        assertThat(installed).as("install-hooks: %s", sink).isZero();
        return home;
    }

    @Test
    void aTokenTheControlPlaneRefusesFailsWithItsFixAndExitsNonZero() throws Exception {
        try (PrivateTmux tmux = PrivateTmux.start(tmp.resolve("tmux"))) {
            Run run = doctor(config("not-a-host-token", tmux), homeWithHooks());
            JsonNode token = run.check("control_plane.token");
            assertThat(token.path("status").asText()).as(run.output()).isEqualTo("fail");
            assertThat(token.path("detail").asText()).contains("refused this host's token").contains("unauthorized");
            assertThat(token.path("fix").asText()).contains(tmp.resolve("token").toString())
                    .contains("agentd enroll");
            assertThat(run.check("control_plane.tcp").path("status").asText()).isEqualTo("ok");
            assertThat(run.check("control_plane.http").path("status").asText()).isEqualTo("ok");
            assertThat(run.json().path("ok").asBoolean(true)).isFalse();
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void aHealthyBoxExitsZeroAndTheProbeLeavesTheRunningAgentdConnected() throws Exception {
        String token = cp.createHost("doctor-box").path("token").asText();
        try (PrivateTmux tmux = PrivateTmux.start(tmp.resolve("tmux"))) {
            Path config = config(token, tmux);
            Path home = homeWithHooks();
            List<String> jvm = new ArrayList<>(JavaProcess.chronicleFlags());
            jvm.add("-Djna.tmpdir=" + tmp.resolve("state/tmp"));
            try (JavaProcess agentd = JavaProcess.start("agentd", tmp.resolve("logs"), jvm,
                    "dev.agentcommander.agentd.Main", List.of("run", "--config", config.toString()), Map.of())) {
                try {
                    Await.until("agentd connected", Duration.ofSeconds(60), () -> connected("doctor-box"));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; agentd said:\n" + agentd.output() + "\nhosts: "
                            + cp.get("/v1/hosts", cp.admin()).body(), e);
                }
                Run run = doctor(config, home);
                List<String> notOk = new ArrayList<>();
                run.json().path("checks").forEach(c -> {
                    if (!c.path("status").asText().equals("ok")) {
                        notOk.add(c.path("name").asText() + ": " + c.path("detail").asText());
                    }
                });
                assertThat(run.exit()).as("exit status; not ok: %s\n%s", notOk, run.output()).isZero();
                assertThat(run.json().path("ok").asBoolean()).isTrue();
                for (String name : List.of("tmux.binary", "tmux.server", "state_dir", "hooks.socket",
                        "control_plane.tcp", "control_plane.http", "control_plane.clock", "control_plane.token",
                        "claude.hooks.user", "git")) {
                    assertThat(run.check(name).path("status").asText()).as(name + " in " + run.output())
                            .isEqualTo("ok");
                }
                assertThat(run.check("tmux.server").path("detail").asText()).startsWith("1 pane on");
                assertThat(run.check("control_plane.clock").path("detail").asText()).contains("s off");
                assertThat(notOk).as("only Codex, which this machine lacks, may warn").allMatch(s ->
                        s.startsWith("codex:"));
                // the probe never said agent.hello: the running agentd was not superseded
                Thread.sleep(1500);
                assertThat(connected("doctor-box")).isTrue();
                assertThat(agentd.output()).doesNotContain("superseded").doesNotContain("second agentd");
            }
        }
    }

    private static boolean connected(String name) {
        JsonNode hosts = cp.get("/v1/hosts", cp.admin()).body();
        for (JsonNode h : hosts.path("items")) {
            if (h.path("name").asText().equals(name)) {
                return h.path("connected").asBoolean(false);
            }
        }
        return false;
    }
}
