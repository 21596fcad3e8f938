package dev.agentcommander.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/ stays true to the control plane, since no Docker engine runs here to try it: {@code .env.example} lists
 * exactly the variables the control plane reads (each with a comment), and what it ships starts the control plane
 * once docker-compose.yml has added its own; the compose file is valid YAML with the services, health checks,
 * volumes and proxy labels the README describes; the image runs the JVM flags {@code ./commander} runs.
 */
class DeployFilesTest {
    static final Path DEPLOY = Path.of("../deploy");
    static final Path COMPOSE = DEPLOY.resolve("docker-compose.yml");
    static final Path ENV_EXAMPLE = DEPLOY.resolve(".env.example");
    static final String COMPOSE_SECTION = "# ==== docker compose ====";
    static final String CONTROL_PLANE_SECTION = "# ==== control plane ====";
    /** What {@code fromEnv} reads that is the process's environment, not the control plane's settings. */
    static final Set<String> ENVIRONMENT = Set.of("HOME", "XDG_DATA_HOME");

    @Test
    void envExampleListsExactlyTheVariablesTheControlPlaneReadsEachWithAComment() throws IOException {
        Map<String, Map<String, String>> sections = envExample();
        Set<String> listed = sections.get(CONTROL_PLANE_SECTION).keySet();
        Set<String> read = variablesRead();
        assertThat(new TreeSet<>(read)).as("variables ServerConfig.fromEnv reads, missing from " + ENV_EXAMPLE)
                .isSubsetOf(listed);
        String sources = mainSources();
        for (String key : listed) {
            assertThat(read.contains(key) || sources.contains("\"" + key + "\""))
                    .as(key + " is in " + ENV_EXAMPLE + " but the control plane does not read it").isTrue();
        }
        List<String> lines = Files.readAllLines(ENV_EXAMPLE);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("[A-Z][A-Z0-9_]*=.*")) {
                assertThat(i > 0 && lines.get(i - 1).startsWith("# ") && !lines.get(i - 1).startsWith("# ===="))
                        .as("line %d of %s (%s) has a comment above it", i + 1, ENV_EXAMPLE, lines.get(i)).isTrue();
            }
        }
    }

    @Test
    void theComposeVariablesAreTheOnesDockerComposeYmlUses() throws IOException {
        String compose = Files.readString(COMPOSE);
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(compose);
        while (m.find()) {
            used.add(m.group(1));
        }
        Map<String, Map<String, String>> sections = envExample();
        Set<String> composeVars = sections.get(COMPOSE_SECTION).keySet();
        assertThat(composeVars).as("compose variables in .env.example that docker-compose.yml never uses")
                .isSubsetOf(used);
        Set<String> all = new TreeSet<>(composeVars);
        all.addAll(sections.get(CONTROL_PLANE_SECTION).keySet());
        assertThat(used).as("variables docker-compose.yml uses that .env.example does not explain").isSubsetOf(all);
    }

    @Test
    void whatTheExampleShipsStartsTheControlPlaneWithComposesOwnSettings() throws IOException {
        Map<String, Map<String, String>> sections = envExample();
        Map<String, String> dotEnv = new HashMap<>(sections.get(COMPOSE_SECTION));
        dotEnv.putAll(sections.get(CONTROL_PLANE_SECTION));
        Map<String, String> container = new HashMap<>(sections.get(CONTROL_PLANE_SECTION)); // env_file: .env
        service("control-plane").get("environment").fields().forEachRemaining(f ->
                container.put(f.getKey(), interpolate(f.getValue().asText(), dotEnv)));
        ServerConfig config = ServerConfig.fromEnv(container);
        assertThat(config.databaseUrl()).isEqualTo(
                "jdbc:postgresql://postgres:5432/commander?user=commander&password=change-me");
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/agent-commander"));
        assertThat(config.publicUrl()).isEqualTo("https://commander.example.com");
        assertThat(config.tls()).as("the proxy terminates TLS").isNull();
    }

    @Test
    void composeIsValidYamlWithPostgres17TheImageHealthChecksVolumesAndProxyLabels() throws IOException {
        JsonNode postgres = service("postgres");
        assertThat(postgres.get("image").asText()).isEqualTo("postgres:17");
        assertThat(postgres.get("volumes").get(0).asText()).isEqualTo("pgdata:/var/lib/postgresql/data");
        assertThat(postgres.at("/healthcheck/test").toString()).contains("pg_isready");

        JsonNode cp = service("control-plane");
        assertThat(cp.at("/build/dockerfile").asText()).isEqualTo("deploy/Dockerfile");
        assertThat(DEPLOY.resolve(cp.at("/build/context").asText()).resolve(cp.at("/build/dockerfile").asText()))
                .isRegularFile();
        assertThat(cp.at("/healthcheck/test").toString()).contains("/opt/control-plane/healthcheck");
        assertThat(cp.at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");
        assertThat(cp.get("env_file").asText()).isEqualTo(".env");
        assertThat(cp.at("/labels/traefik.enable").asText()).isEqualTo("true");
        assertThat(cp.at("/labels/traefik.http.services.agent-commander.loadbalancer.server.port").asText())
                .isEqualTo("8080");
        assertThat(cp.at("/labels/traefik.http.routers.agent-commander.tls.certresolver").asText())
                .isEqualTo("letsencrypt");
        assertThat(service("traefik").at("/command").toString()).contains("certificatesresolvers.letsencrypt.acme");

        JsonNode root = new YAMLMapper().readTree(COMPOSE.toFile());
        for (String name : List.of("postgres", "control-plane", "traefik")) {
            for (JsonNode v : service(name).path("volumes")) {
                String source = v.asText().split(":")[0];
                if (!source.startsWith("/") && !source.startsWith(".")) {
                    assertThat(root.at("/volumes").has(source)).as("named volume %s is declared", source).isTrue();
                }
            }
            for (JsonNode n : service(name).path("networks")) {
                assertThat(root.at("/networks").has(n.asText())).as("network %s is declared", n.asText()).isTrue();
            }
        }
    }

    @Test
    void theImageRunsTheLaunchersJvmFlagsAndChecksHealthOnHealth() throws IOException {
        String launcher = Files.readString(Path.of("../commander"));
        Matcher run = Pattern.compile("exec java (.*?) -cp \"\\$CP_JAR").matcher(launcher);
        assertThat(run.find()).as("./commander's run_control_plane line").isTrue();
        List<String> flags = List.of(run.group(1).trim().split("\\s+"));
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT \\[\"java\", (.*?), \"-cp\"").matcher(dockerfile);
        assertThat(entry.find()).as("the Dockerfile's ENTRYPOINT").isTrue();
        assertThat(Stream.of(entry.group(1).split(",\\s*")).map(s -> s.replace("\"", "")).toList())
                .isEqualTo(flags);
        assertThat(dockerfile).contains("FROM maven:3.9-eclipse-temurin-25 AS build", "FROM eclipse-temurin:25-jre",
                "COPY deploy/healthcheck");
        assertThat(Files.readString(DEPLOY.resolve("healthcheck"))).contains("/health\"");
        assertThat(Files.isExecutable(DEPLOY.resolve("healthcheck"))).isTrue();
    }

    /** The variables {@code ServerConfig.fromEnv} looks up, recorded by the map it is given. */
    static Set<String> variablesRead() {
        Set<String> read = new TreeSet<>();
        Map<String, String> recording = new AbstractMap<>() {
            @Override
            public String get(Object key) {
                read.add((String) key);
                return null;
            }

            @Override
            public String getOrDefault(Object key, String dflt) {
                read.add((String) key);
                return dflt;
            }

            @Override
            public boolean containsKey(Object key) {
                read.add((String) key);
                return false;
            }

            @Override
            public Set<Entry<String, String>> entrySet() {
                return Set.of();
            }
        };
        ServerConfig.fromEnv(recording);
        read.removeAll(ENVIRONMENT);
        return read;
    }

    /** {@code .env.example} by section: variable → value, in file order. */
    static Map<String, Map<String, String>> envExample() throws IOException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(ENV_EXAMPLE)) {
            if (line.startsWith("# ==== ")) {
                current = new LinkedHashMap<>();
                out.put(line.strip(), current);
            } else if (line.matches("[A-Z][A-Z0-9_]*=.*")) {
                assertThat(current).as("%s comes before any section", line).isNotNull();
                int eq = line.indexOf('=');
                assertThat(current.put(line.substring(0, eq), line.substring(eq + 1))).as("%s twice", line).isNull();
            } else {
                assertThat(line.isEmpty() || line.startsWith("#")).as("a line of %s: %s", ENV_EXAMPLE, line).isTrue();
            }
        }
        assertThat(out).containsOnlyKeys(COMPOSE_SECTION, CONTROL_PLANE_SECTION);
        return out;
    }

    static JsonNode service(String name) throws IOException {
        JsonNode s = new YAMLMapper().readTree(COMPOSE.toFile()).at("/services/" + name);
        assertThat(s.isMissingNode()).as("service %s in %s", name, COMPOSE).isFalse();
        return s;
    }

    /** Compose's interpolation, as far as docker-compose.yml uses it: ${VAR}, ${VAR:-default} (nested), ${VAR:?}. */
    static String interpolate(String text, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf("${", i);
            if (start < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, start);
            int depth = 0;
            int end = start;
            for (int j = start; j < text.length(); j++) {
                if (text.startsWith("${", j)) {
                    depth++;
                    j++;
                } else if (text.charAt(j) == '}' && --depth == 0) {
                    end = j;
                    break;
                }
            }
            String expr = text.substring(start + 2, end);
            Matcher m = Pattern.compile("([A-Z][A-Z0-9_]*)(?::([-?])(.*))?", Pattern.DOTALL).matcher(expr);
            assertThat(m.matches()).as("compose expression ${%s}", expr).isTrue();
            String v = env.get(m.group(1));
            if (v == null || v.isEmpty()) {
                assertThat(m.group(2)).as("${%s}: %s is required and empty in .env.example", expr, m.group(1))
                        .isNotEqualTo("?");
                v = m.group(2) == null ? "" : interpolate(m.group(3), env);
            }
            out.append(v);
            i = end + 1;
        }
        return out.toString();
    }

    private static String mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            return files.filter(p -> p.toString().endsWith(".java")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.joining("\n"));
        }
    }
}
