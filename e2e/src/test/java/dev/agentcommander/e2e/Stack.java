package dev.agentcommander.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.controlplane.auth.Role;
import dev.agentcommander.controlplane.auth.Tokens;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole system as separate real processes: Postgres (embedded, in this JVM, so tests can stop it), the control
 * plane and agentd as child JVMs (so tests can kill -9 them), and a private tmux server.
 */
public final class Stack implements AutoCloseable {
    static final String JWT_SECRET = "e2e-secret-0123456789-0123456789-0123456789";

    final Path dir;
    private final Tokens tokens = new Tokens(JWT_SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
    private EmbeddedDatabase db;
    private int dbPort;
    private JavaProcess controlPlane;
    private int cpPort;
    private JavaProcess agentd;
    private PrivateTmux tmux;
    private Path tmuxSocket;
    private Path agentdState;
    private String hostToken;
    private String hostId;
    public final int hooksPort;
    public final Map<String, String> agentdConfig = new HashMap<>();
    private int agentdLinkPort;
    /** Set: the control plane uses this Postgres (one the test runs, like a team's own server). */
    private String externalUrl;
    /** Set: the control plane runs its own embedded Postgres in its DATA_DIR, as {@code ./commander up} does. */
    private boolean controlPlaneOwnsDatabase;
    /** Extra environment for the control plane (e.g. EMBEDDED_DB_GIVE_UP_SECONDS). */
    final Map<String, String> controlPlaneEnv = new HashMap<>();
    /** agentd's JVM flags besides Chronicle's; benchmarks use the launcher's ({@link #LAUNCHER_AGENTD_JVM}). */
    List<String> agentdJvm = List.of("-Xmx64m", "-XX:+UseSerialGC");
    /** The flags ./commander and the systemd unit run agentd with (agentd.args), so RSS figures are users'. */
    static final List<String> LAUNCHER_AGENTD_JVM = JavaProcess.launcherAgentdFlags();
    /** Set (latency benchmarks): agentd and the control plane log each GC pause to {@link #gcLog} ({@link GcPauses}). */
    boolean logGcPauses;

    /** Where the child JVM {@code name} logs its GC pauses when {@link #logGcPauses} is set. */
    Path gcLog(String name) {
        return dir.resolve("logs").resolve(name + "-gc.log");
    }

    private List<String> gcLogFlags(String name) throws IOException {
        if (!logGcPauses) {
            return List.of();
        }
        Files.createDirectories(gcLog(name).getParent());
        return GcPauses.logFlags(gcLog(name));
    }

    public Stack(Path dir) throws IOException {
        this.dir = dir;
        this.hooksPort = freePort();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public Stack startDatabase() {
        db = dbPort == 0 ? EmbeddedDatabase.start(dir.resolve("pg")) : EmbeddedDatabase.start(dir.resolve("pg"), dbPort);
        dbPort = db.port();
        return this;
    }

    void stopDatabase() {
        db.close();
    }

    /** The control plane will run (and supervise) its own embedded Postgres instead of the test's. */
    Stack controlPlaneOwnsDatabase() {
        controlPlaneOwnsDatabase = true;
        return this;
    }

    /** The control plane will use the Postgres at {@code url}, which the test starts and stops itself. */
    Stack useDatabaseAt(String url) {
        externalUrl = url;
        return this;
    }

    /** The control plane's own data directory (its embedded Postgres is in {@code pg} under it). */
    Path controlPlaneDataDir() {
        return dir.resolve("cp");
    }

    String jdbcUrl() {
        if (externalUrl != null) {
            return externalUrl;
        }
        if (controlPlaneOwnsDatabase) { // port from postmaster.pid (line 4), password from the 0600 file beside it
            try {
                Path pg = controlPlaneDataDir().resolve("pg");
                return "jdbc:postgresql://127.0.0.1:" + Files.readAllLines(pg.resolve("postmaster.pid")).get(3).trim()
                        + "/postgres?user=postgres&password="
                        + Files.readString(controlPlaneDataDir().resolve("pg-password")).trim();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return db.jdbcUrl();
    }

    Connection sql() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** The first column of the first row; unchecked so it can sit inside an {@link dev.agentcommander.agentd.testkit.Await} probe. */
    public long queryLong(String sql, Object... args) {
        try (Connection c = sql(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts the control plane. The first start lets it pick a free port (no race with Postgres or anything else
     * for a port chosen here); restarts take the same port again so agentd finds it.
     */
    public JavaProcess startControlPlane() throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        if (!controlPlaneOwnsDatabase) {
            env.put("DATABASE_URL", externalUrl != null ? externalUrl : db.jdbcUrl());
        }
        env.put("JWT_SECRET", JWT_SECRET);
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(cpPort));
        env.put("DATA_DIR", controlPlaneDataDir().toString());
        env.putAll(controlPlaneEnv);
        // the JIT and metaspace flags users' control planes run with (./commander, the launcher, the image), so
        // benchmarks measure what they run; the heap stays as the tests had it
        List<String> cpJvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseZGC", "-XX:TieredStopAtLevel=1",
                "-XX:MetaspaceSize=64m",
                "-Dot.epg.working-dir=" + System.getProperty("ot.epg.working-dir")));
        cpJvm.addAll(BenchJvm.jfr("control-plane"));
        cpJvm.addAll(gcLogFlags("control-plane"));
        cpJvm.addAll(BenchJvm.controlPlane());
        controlPlane = JavaProcess.start("control-plane", dir.resolve("logs"), cpJvm,
                "dev.agentcommander.controlplane.Main", List.of("serve"), env);
        String port = controlPlane.awaitLine("control-plane listening on http://[^:]+:(\\d+)", Duration.ofSeconds(60));
        cpPort = Integer.parseInt(port);
        return controlPlane;
    }

    JavaProcess controlPlane() {
        return controlPlane;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + cpPort;
    }

    String jwt(Role role) {
        return tokens.issue("e2e-" + role.name().toLowerCase(), role, Duration.ofHours(1));
    }

    public Rest rest(Role role) {
        return new Rest(baseUrl(), role == null ? null : jwt(role));
    }

    /** Registers a host through the REST API and keeps its token for agentd. */
    public String registerHost(String name) {
        Rest.Reply r = rest(Role.ADMIN).post("/v1/hosts", Map.of("name", name));
        if (r.status() != 200 && r.status() != 201) {
            throw new IllegalStateException("POST /v1/hosts: " + r);
        }
        hostToken = r.body().get("token").asText();
        JsonNode host = r.body().get("host");
        hostId = host.has("id") ? host.get("id").asText() : host.get("host_id").asText();
        return hostId;
    }

    public String hostId() {
        return hostId;
    }

    PrivateTmux tmux(Map<String, String> env) throws IOException, InterruptedException {
        Path t = dir.resolve("tmux");
        Files.createDirectories(t);
        tmux = PrivateTmux.with(t).size(160, 48).env(env).start();
        return tmux;
    }

    /** agentd will watch the tmux server at {@code socket} (one a test started itself, e.g. real Claude Code's). */
    public Stack useTmuxSocket(Path socket) {
        this.tmuxSocket = socket;
        return this;
    }

    /** Stops agentd (waits for it to exit). */
    public void stopAgentd() throws InterruptedException {
        if (agentd != null) {
            agentd.close();
            agentd = null;
        }
    }

    /** agentd's next start uses {@code state} (a fresh outbox: register a new host with it, or seqs repeat). */
    public Stack useAgentdStateDir(Path state) {
        this.agentdState = state;
        return this;
    }

    /** The state dir's name under {@link #dir}; benchmarks give each agentd they start its own. */
    String agentdStateName = "agentd-state";

    Path agentdStateDir() {
        return agentdState != null ? agentdState : dir.resolve(agentdStateName);
    }

    public JavaProcess startAgentd() throws IOException, InterruptedException {
        return startAgentd(agentdJvm, Map.of(), null);
    }

    /**
     * agentd as {@code java} with Chronicle's flags and {@code jvmFlags}, {@code env} added to its environment, on
     * {@code classpath} (null: this JVM's, the reactor's classes).
     */
    JavaProcess startAgentd(List<String> jvmFlags, Map<String, String> env, String classpath) throws IOException {
        Path config = writeAgentdConfig();
        Path state = agentdStateDir();
        List<String> jvm = new ArrayList<>(JavaProcess.chronicleFlags());
        jvm.addAll(jvmFlags);
        jvm.addAll(List.of("-Djna.tmpdir=" + state.resolve("tmp"), "-Djava.io.tmpdir=" + state.resolve("tmp")));
        jvm.addAll(BenchJvm.jfr("agentd"));
        jvm.addAll(BenchJvm.agentd());
        jvm.addAll(gcLogFlags("agentd"));
        agentd = JavaProcess.start("agentd", dir.resolve("logs"), jvm, "dev.agentcommander.agentd.Main",
                List.of("run", "--config", config.toString()), env, classpath);
        return agentd;
    }

    /**
     * agentd through its real launcher ({@code agentd/src/main/sh/agentd}) on the distribution classpath (agentd's
     * jar and {@code agentd/target/lib}, as {@code ./commander agentd} runs it): the JVM users get, flags and all.
     */
    JavaProcess startAgentdWithLauncher() throws IOException {
        return startAgentdWithLauncher(Map.of());
    }

    /** As above with {@code extraEnv} for the launcher (AGENTD_CDS_ARCHIVE, say). */
    JavaProcess startAgentdWithLauncher(Map<String, String> extraEnv) throws IOException {
        Path config = writeAgentdConfig();
        Map<String, String> env = new HashMap<>();
        env.put("AGENTD_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("AGENTD_CLASSPATH", agentdDistributionClasspath());
        env.put("AGENTD_JVM_DIR", JavaProcess.JVM_ARGS.toString());
        env.put("AGENTD_STORAGE_STATE_DIR", agentdStateDir().toString());
        env.putAll(extraEnv);
        agentd = JavaProcess.exec("agentd", dir.resolve("logs"), List.of(agentdModule().resolve("src/main/sh/agentd")
                .toString(), "run", "--config", config.toString()), env);
        return agentd;
    }

    /** agentd's jar and its libraries ({@code agentd/target/lib}, what {@code mvn package} copies there). */
    static String agentdDistributionClasspath() throws IOException {
        Path target = agentdModule().resolve("target");
        try (var files = Files.list(target)) {
            String jar = files.map(Path::toString)
                    .filter(n -> n.matches(".*/agentd-[^/]*\\.jar") && !n.endsWith("-tests.jar")).findFirst()
                    .orElseThrow(() -> new IOException("no agentd jar in " + target + " (mvn package)"));
            return jar + ":" + target.resolve("lib") + "/*";
        }
    }

    private static Path agentdModule() {
        return JavaProcess.JVM_ARGS.getParent().getParent().getParent(); // agentd/src/main/jvm
    }

    private Path writeAgentdConfig() throws IOException {
        Path state = agentdStateDir();
        Files.createDirectories(state.resolve("tmp"));
        Path tokenFile = dir.resolve("host-token");
        Files.writeString(tokenFile, hostToken);
        StringBuilder yaml = new StringBuilder();
        yaml.append("control_plane:\n  url: ws://127.0.0.1:").append(agentdLinkPort == 0 ? cpPort : agentdLinkPort).append("/v1/agent\n")
                .append("  token_file: ").append(tokenFile).append('\n')
                .append("host_name: e2e-host\n")
                .append("tmux:\n  socket: ").append(tmuxSocket != null ? tmuxSocket
                        : tmux == null ? dir.resolve("no-tmux.sock") : tmux.socket())
                .append("\n  poll_interval_ms: ").append(agentdConfig.getOrDefault("poll_interval_ms", "500"))
                .append('\n')
                .append("storage:\n  state_dir: ").append(state).append('\n')
                .append("hooks:\n  listen: 127.0.0.1:").append(hooksPort).append('\n')
                .append("approvals:\n  mode: ").append(agentdConfig.getOrDefault("approvals_mode", "hook"))
                .append("\n  timeout_seconds: ").append(agentdConfig.getOrDefault("approval_timeout", "60"))
                .append('\n');
        if (agentdConfig.containsKey("timeout_action")) { // only when asked: an older agentd (benches) rejects it
            yaml.append("  timeout_action: ").append(agentdConfig.get("timeout_action")).append('\n');
        }
        if (agentdConfig.containsKey("codex_exec_path")) { // Codex jobs (spawn_job) run this program
            yaml.append("providers:\n  codex:\n    exec_path: ").append(agentdConfig.get("codex_exec_path"))
                    .append("\n    max_jobs: ").append(agentdConfig.getOrDefault("codex_max_jobs", "4")).append('\n');
        }
        Path config = dir.resolve("agentd.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    /** Points agentd at another port (a {@link LinkProxy}) instead of the control plane itself. */
    LinkProxy proxyAgentLink() throws IOException {
        LinkProxy proxy = new LinkProxy(cpPort);
        agentdLinkPort = proxy.port();
        return proxy;
    }

    /** Points agentd at {@code port} (a proxy in front of several control-plane replicas, say). */
    Stack agentLinkTo(int port) {
        agentdLinkPort = port;
        return this;
    }

    /** The hook command Claude Code runs ({@code agentd/src/main/sh/agentd-hook} in this checkout). */
    public static Path hookScript() {
        return Path.of("..", "agentd", "src", "main", "sh", "agentd-hook").toAbsolutePath().normalize();
    }

    /** Environment for panes whose stand-in claude fires hooks at this stack's agentd. */
    Map<String, String> hookEnv(Path bin) {
        return Map.of("PATH", bin + ":" + System.getenv("PATH"), "AGENTD_HOOK", hookScript().toString(),
                "AGENTD_HOOKS_LISTEN", "127.0.0.1:" + hooksPort);
    }

    JavaProcess agentd() {
        return agentd;
    }

    @Override
    public void close() throws Exception {
        if (agentd != null) {
            agentd.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        if (tmux != null) {
            tmux.close();
        }
        if (db != null) {
            db.close();
        }
    }
}
