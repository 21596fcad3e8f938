package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.testkit.Frames;
import dev.agentcommander.controlplane.testkit.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigAndCliTest {
    @TempDir
    Path dir;

    @Test
    void defaultsListenOnAllInterfacesOn8080WithDataUnderXdgDataHome() {
        ServerConfig c = ServerConfig.fromEnv(Map.of("HOME", "/home/u"));
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("/home/u/.local/share/agent-commander"));
        assertThat(c.databaseUrl()).isNull();
        assertThat(ServerConfig.fromEnv(Map.of("XDG_DATA_HOME", "/x")).dataDir())
                .isEqualTo(Path.of("/x/agent-commander"));
    }

    @Test
    void invalidValuesNameTheVariable() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("PORT", "eighty")))
                .hasMessageStartingWith("PORT:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("PORT", "70000"))).hasMessageStartingWith("PORT:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("JWT_SECRET", "short")))
                .hasMessageStartingWith("JWT_SECRET:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DATABASE_URL", "mysql://x")))
                .hasMessageStartingWith("DATABASE_URL:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("PUBLIC_URL", "ftp://x")))
                .hasMessageStartingWith("PUBLIC_URL:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("EMBEDDED_DB_GIVE_UP_SECONDS", "0")))
                .hasMessageStartingWith("EMBEDDED_DB_GIVE_UP_SECONDS:");
        assertThat(ServerConfig.fromEnv(Map.of()).embeddedDbGiveUp()).hasSeconds(60);
    }

    @Test
    void fanOutIsPostgresWithADatabaseUrlInProcessWithoutAndAnythingElseIsRefusedNamingFanout() {
        String url = "jdbc:postgresql://db.example/ac";
        assertThat(ServerConfig.fromEnv(Map.of("HOME", "/home/u")).fanOut())
                .isEqualTo(dev.agentcommander.controlplane.fanout.FanOutKind.IN_PROCESS);
        assertThat(ServerConfig.fromEnv(Map.of("HOME", "/home/u", "DATABASE_URL", url)).fanOut())
                .isEqualTo(dev.agentcommander.controlplane.fanout.FanOutKind.POSTGRES);
        assertThat(ServerConfig.fromEnv(Map.of("HOME", "/home/u", "DATABASE_URL", url, "FANOUT", "in-process"))
                .fanOut()).isEqualTo(dev.agentcommander.controlplane.fanout.FanOutKind.IN_PROCESS);
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("HOME", "/home/u", "FANOUT", "postgres")))
                .hasMessageStartingWith("FANOUT: postgres needs DATABASE_URL");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("HOME", "/home/u", "DATABASE_URL", url,
                "FANOUT", "redis"))).hasMessageStartingWith("FANOUT: must be postgres or in-process, got 'redis'");
    }

    @Test
    void notificationVariablesAreCheckedAtStartNamingTheVariableAndNeverEchoingASecret() {
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("NOTIFY_WEBHOK_URL", "https://x/h")))
                .isInstanceOf(ServerConfig.ConfigException.class).hasMessageStartingWith("NOTIFY_WEBHOK_URL: unknown");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("NOTIFY_SLACK_WEBHOOK_URL", "ftp://hooks/T0/B0/s3cr3t")))
                .hasMessageStartingWith("NOTIFY_SLACK_WEBHOOK_URL:").hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("NOTIFY_WEBHOOK_SECRET", "s3cr3t")))
                .hasMessageStartingWith("NOTIFY_WEBHOOK_SECRET:").hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("NOTIFY_NTFY_TOKEN", "tk")))
                .hasMessageStartingWith("NOTIFY_NTFY_TOKEN:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("NOTIFY_DELAY_SECONDS", "-1")))
                .hasMessageStartingWith("NOTIFY_DELAY_SECONDS:");
        assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("NOTIFY_WAITING_SECONDS", "soon")))
                .hasMessageStartingWith("NOTIFY_WAITING_SECONDS:");
        ServerConfig none = ServerConfig.fromEnv(Map.of());
        assertThat(none.notifications().channels()).isEmpty();
        assertThat(none.notifications().delay()).hasSeconds(5);
        assertThat(none.notifications().waiting()).hasSeconds(60);
        ServerConfig all = ServerConfig.fromEnv(Map.of("NOTIFY_WEBHOOK_URL", "https://example.test/hook",
                "NOTIFY_WEBHOOK_SECRET", "s3cr3t", "NOTIFY_NTFY_URL", "https://ntfy.example.test/topic-s3cr3t",
                "NOTIFY_NTFY_TOKEN", "tk_s3cr3t", "NOTIFY_SLACK_WEBHOOK_URL", "https://hooks.example.test/T/B/s3cr3t",
                "NOTIFY_DELAY_SECONDS", "0"));
        assertThat(all.notifications().channels()).hasSize(3);
        assertThat(all.notifications().delay()).isZero();
        assertThat(all.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void tokenSubcommandMintsAJwtFromTheInstanceSecretKeptPrivate() throws Exception {
        Map<String, String> env = Map.of("DATA_DIR", dir.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Main.run(List.of("token", "--role", "operator", "--ttl-seconds", "60"), env,
                new PrintStream(out, true))).isZero();
        Path secret = dir.resolve("jwt-secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        Tokens tokens = new Tokens(ControlPlane.signingKey(ServerConfig.fromEnv(env)), Clock.systemUTC());
        Tokens.Principal p = tokens.verify(out.toString().trim()).orElseThrow();
        assertThat(p.role()).isEqualTo(Role.OPERATOR);
        assertThatThrownBy(() -> Main.run(List.of("token", "--role", "root"), env, new PrintStream(out)))
                .hasMessageContaining("--role");
        assertThatThrownBy(() -> Main.run(List.of("token", "--ttl-seconds", "2592001"), env, new PrintStream(out)))
                .hasMessageContaining("--ttl-seconds must be 1..2592000");
        assertThatThrownBy(() -> Main.run(List.of("serve", "--bogus"), env, new PrintStream(out)))
                .hasMessageContaining("--bogus");
    }

    @Test
    void tokenWithoutRoleIsAnOperatorTokenForAnHourAndTheLongestTtlIsTheCap() throws Exception {
        Map<String, String> env = Map.of("DATA_DIR", dir.toString());
        Tokens tokens = new Tokens(ControlPlane.signingKey(ServerConfig.fromEnv(env)), Clock.systemUTC());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Main.run(List.of("token"), env, new PrintStream(out, true))).isZero();
        String jwt = out.toString().trim();
        assertThat(tokens.verify(jwt).orElseThrow().role()).isEqualTo(Role.OPERATOR);
        var claims = com.nimbusds.jwt.SignedJWT.parse(jwt).getJWTClaimsSet();
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(3_600_000);
        assertThat(claims.getAudience()).containsExactly("agent-commander");
        out.reset();
        assertThat(Main.run(List.of("token", "--role", "viewer", "--ttl-seconds",
                String.valueOf(Tokens.MAX_LIFETIME.toSeconds())), env, new PrintStream(out, true))).isZero();
        assertThat(tokens.verify(out.toString().trim()).orElseThrow().role()).isEqualTo(Role.VIEWER);
    }

    @Test
    void helpPrintsUsageAndExitsZeroWithoutReadingTheEnvironmentOrStartingAServer() throws Exception {
        Map<String, String> broken = Map.of("PORT", "not-a-port", "DATA_DIR", dir.toString());
        for (List<String> args : List.of(List.of("--help"), List.of("-h"), List.of("help"),
                List.of("serve", "--help"), List.of("token", "--help"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(Main.run(args, broken, new PrintStream(out, true))).as(args.toString()).isZero();
            assertThat(out.toString()).as(args.toString()).startsWith("usage: control-plane")
                    .contains("token [--role admin|operator|viewer] [--ttl-seconds N]")
                    .contains("--role defaults to operator");
        }
        try (var files = Files.list(dir)) {
            assertThat(files).as("nothing created in DATA_DIR").isEmpty();
        }
    }

    @Test
    void bootstrapTwiceReusesTheHostAndItsTokenAndDataSurvivesRestart() throws Exception {
        ServerConfig cfg = new ServerConfig(null, null, "127.0.0.1", 0, null, dir, 0);
        Path tokenFile = dir.resolve("host-token");
        ControlPlane.Bootstrap b = new ControlPlane.Bootstrap("local", tokenFile);
        String token;
        String hostId;
        try (ControlPlane cp = new ControlPlane(cfg, Clock.systemUTC()).start(b, new PrintStream(
                new ByteArrayOutputStream()))) {
            token = Files.readString(tokenFile).trim();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            hostId = cp.database().tx(c -> {
                try (var st = c.prepareStatement("SELECT id FROM hosts WHERE name = 'local'");
                     var rs = st.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            try (WsClient a = WsClient.connect("ws://127.0.0.1:" + cp.port() + "/v1/agent", token)) {
                a.send(Frames.hello("local", 0));
                a.nextOfType("agent.welcome");
                a.send(Frames.upsert(1, "s-keep", "kept"));
                a.nextOfType("agent.ack");
            }
        }
        try (ControlPlane cp = new ControlPlane(cfg, Clock.systemUTC()).start(b, new PrintStream(
                new ByteArrayOutputStream()))) {
            assertThat(Files.readString(tokenFile).trim()).isEqualTo(token);
            try (WsClient a = WsClient.connect("ws://127.0.0.1:" + cp.port() + "/v1/agent", token)) {
                a.send(Frames.hello("local", 0));
                var welcome = a.nextOfType("agent.welcome");
                assertThat(welcome.at("/payload/host_id").asText()).isEqualTo(hostId);
                assertThat(welcome.at("/payload/last_acked_seq").asLong()).isEqualTo(1);
            }
        }
        Files.writeString(tokenFile, "stale");
        try (ControlPlane cp = new ControlPlane(cfg, Clock.systemUTC()).start(b, new PrintStream(
                new ByteArrayOutputStream()))) {
            String rotated = Files.readString(tokenFile).trim();
            assertThat(rotated).isNotEqualTo("stale").isNotEqualTo(token);
            long kept = cp.database().tx(c -> {
                try (var st = c.prepareStatement("SELECT count(*) FROM sessions WHERE id = 's-keep'");
                     var rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(kept).isEqualTo(1);
        }
    }
}
