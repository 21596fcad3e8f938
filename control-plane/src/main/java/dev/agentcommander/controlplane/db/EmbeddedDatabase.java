package dev.agentcommander.controlplane.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Postgres that {@code ./commander up} runs when no DATABASE_URL is given. It holds the user's data, so it is
 * persistent and durable (zonky's defaults turn fsync off and lose committed rows on a crash), and it cleans up
 * after a JVM that was killed with -9 (its postgres keeps running and holds {@code postmaster.pid}).
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EmbeddedDatabase.class.getName());

    private final EmbeddedPostgres pg;

    private EmbeddedDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /** Starts (creating when new) a database in {@code dataDir} on a free port. */
    public static EmbeddedDatabase start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Starts a database in {@code dataDir} on {@code port} (0 picks a free one). */
    public static EmbeddedDatabase start(Path dataDir, int port) {
        try {
            Path dir = dataDir.toAbsolutePath();
            Files.createDirectories(dir);
            stopOrphan(dir);
            String wd = System.getProperty("ot.epg.working-dir");
            File workDir = wd != null ? new File(wd) : dir.resolveSibling(dir.getFileName() + "-bin").toFile();
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(workDir)
                    .setPort(port == 0 ? freePort() : port)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("unix_socket_directories", dir.toString())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            return new EmbeddedDatabase(pg);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Postgres in " + dataDir + " did not start", e);
        }
    }

    /** JDBC URL of the {@code postgres} database as the {@code postgres} user. */
    public String jdbcUrl() {
        return pg.getJdbcUrl("postgres", "postgres");
    }

    public int port() {
        return pg.getPort();
    }

    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "embedded Postgres did not stop cleanly", e);
        }
    }

    /** A postgres left by a killed JVM still owns the data dir: SIGTERM it (smart shutdown) and wait. */
    private static void stopOrphan(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()
                || !ph.get().info().command().map(c -> c.contains("postgres")).orElse(true)) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "stopping orphaned postgres pid " + pid + " in " + dir);
        ph.get().destroy();
        try {
            ph.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("orphaned postgres pid " + pid + " did not stop; stop it and retry", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
