package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.controlplane.testkit.RestClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's contract, checked on a real process: one stdout line, the bootstrap token file, clean SIGTERM,
 * and a quiet stderr (no SLF4J "no providers" warning, no error line for a browser asking for a favicon).
 */
class MainProcessTest {
    @TempDir
    Path dir;

    @Test
    void servePrintsOneLineWritesTheHostTokenAndStopsCleanlyOnSigterm() throws Exception {
        Path tokenFile = dir.resolve("host-token");
        Path data = dir.resolve("data");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir"),
                Main.class.getName(), "serve", "--bootstrap-host", "local", "--bootstrap-token-file",
                tokenFile.toString());
        pb.environment().put("DATA_DIR", data.toString());
        pb.environment().put("HOST", "127.0.0.1");
        pb.environment().put("PORT", "0");
        pb.environment().remove("DATABASE_URL");
        pb.environment().remove("JWT_SECRET");
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = out.readLine();
            Matcher m = Pattern.compile("control-plane listening on http://127\\.0\\.0\\.1:(\\d+)").matcher(
                    String.valueOf(line));
            assertThat(m.matches()).as("first stdout line: " + line).isTrue();
            assertThat(Files.readString(tokenFile).trim()).hasSizeGreaterThanOrEqualTo(43);
            RestClient rest = new RestClient(Integer.parseInt(m.group(1)));
            assertThat(rest.get("/health", null).status()).isEqualTo(200);
            assertThat(rest.getText("/favicon.ico").statusCode()).isEqualTo(200);
            assertThat(rest.get("/nope", null).status()).isEqualTo(404);
            p.toHandle().destroy(); // SIGTERM without closing our end of its stdout
            List<String> more = out.lines().toList();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            assertThat(more).as("nothing else on stdout").isEmpty();
        } finally {
            p.destroyForcibly();
        }
        assertThat(Files.exists(data.resolve("pg").resolve("postmaster.pid")))
                .as("embedded postgres stopped with the server").isFalse();
        assertThat(Files.exists(data.resolve("jwt-secret"))).isTrue();
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertThat(stderr).as("stderr").doesNotContain("SLF4J").doesNotContain("SEVERE")
                .doesNotContain("initdb").contains("Helidon SE");
        assertThat(stderr.lines().toList()).as("one line per record (LOG_FORMAT=text)").isNotEmpty()
                .allMatch(l -> TEXT_LINE.matcher(l).matches());
    }

    private static final Pattern TEXT_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST) "
                    + "[\\w$]*: .*");

    @Test
    void withLogFormatJsonEveryStderrLineIsOneJsonRecord() throws Exception {
        Path data = dir.resolve("data-json");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir"), Main.class.getName());
        pb.environment().put("DATA_DIR", data.toString());
        pb.environment().put("HOST", "127.0.0.1");
        pb.environment().put("PORT", "0");
        pb.environment().put("LOG_FORMAT", "json");
        pb.environment().remove("DATABASE_URL");
        pb.environment().remove("JWT_SECRET");
        pb.redirectError(dir.resolve("stderr-json.txt").toFile());
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(String.valueOf(out.readLine())).startsWith("control-plane listening on");
            p.toHandle().destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
        } finally {
            p.destroyForcibly();
        }
        List<String> lines = Files.readString(dir.resolve("stderr-json.txt")).lines().toList();
        assertThat(lines).as("stderr").isNotEmpty();
        boolean helidon = false;
        for (String line : lines) {
            com.fasterxml.jackson.databind.JsonNode o = dev.agentcommander.schema.Json.mapper().readTree(line);
            assertThat(o.isObject()).as(line).isTrue();
            for (String field : List.of("ts", "level", "logger", "message", "thread")) {
                assertThat(o.hasNonNull(field)).as(field + " in " + line).isTrue();
            }
            assertThat(o.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            helidon |= o.get("logger").asText().startsWith("io.helidon.");
        }
        assertThat(helidon).as("Helidon's own records go the same way").isTrue();
    }

    @Test
    void anUnknownLogFormatIsRefusedAtStartNamingTheVariable() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
        pb.environment().put("DATA_DIR", dir.resolve("data-bad").toString());
        pb.environment().put("LOG_FORMAT", "xml");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output.strip()).isEqualTo("control-plane: LOG_FORMAT: must be text or json, got 'xml'");
    }
}
