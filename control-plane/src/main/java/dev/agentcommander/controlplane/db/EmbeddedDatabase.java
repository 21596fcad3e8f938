package dev.agentcommander.controlplane.db;

import dev.agentcommander.schema.loop.Backoff;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The Postgres that {@code ./commander up} runs when no DATABASE_URL is given. It holds the user's data, so it is
 * durable (fsync and synchronous commit on), private (a password, never trust; see {@link PgDataDir}), exclusive
 * (a lock in the data directory; a postmaster is stopped as an orphan only when that lock is free) and restartable:
 * the postmaster is this JVM's own child, so {@link PostgresSupervisor} hears of its death at once and calls
 * {@link #bringUp} again on the same directory and port, where crash recovery replays the WAL.
 *
 * <p>Next to {@code DIR} live {@code DIR-bin} (binaries, or {@code -Dot.epg.working-dir}), {@code DIR-password}
 * (0600) and {@code DIR.log} (the server's output, where start failures are explained).
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EmbeddedDatabase.class.getName());
    private static final Duration DEFAULT_WITHIN = Duration.ofSeconds(30);
    private static final long LOG_ROTATE_BYTES = 10L << 20;

    /** Told of each failed start attempt before the next one. */
    @FunctionalInterface
    public interface Attempts {
        void failed(int attempt, String reason, Duration nextIn);
    }

    private final PostgresBinaries bin;
    private final Path dir;
    private final int port;
    private final String password;
    private final FileChannel lockChannel;
    private final Path log;
    private volatile Process process;
    private volatile boolean closed;

    private EmbeddedDatabase(PostgresBinaries bin, Path dir, int port, String password, FileChannel lockChannel) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.lockChannel = lockChannel;
        this.log = dir.resolveSibling(dir.getFileName() + ".log");
    }

    /** Starts (creating when new) a database in {@code dataDir} on a free port. */
    public static EmbeddedDatabase start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** Starts a database in {@code dataDir} on {@code port} (0 picks a free one). */
    public static EmbeddedDatabase start(Path dataDir, int port) {
        return start(dataDir, port, DEFAULT_WITHIN, (n, why, next) -> { });
    }

    /**
     * Starts a database in {@code dataDir} on {@code port}, retrying the postmaster (not the preparation, which
     * fails at once) until it accepts connections or {@code within} has passed.
     */
    public static EmbeddedDatabase start(Path dataDir, int port, Duration within, Attempts attempts) {
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new StartupException("cannot create " + dir.getParent() + ": " + e.getMessage(), e);
        }
        String wd = System.getProperty("ot.epg.working-dir");
        PostgresBinaries bin = PostgresBinaries.prepare(wd != null ? Path.of(wd) : sibling(dir, "-bin"));
        Path pwFile = sibling(dir, "-password");
        boolean newPassword = !Files.exists(pwFile);
        String password = PgDataDir.password(pwFile);
        if (!PgDataDir.initialized(dir)) {
            PgDataDir.create(bin, dir, pwFile);
            newPassword = false;
        }
        FileChannel lock = lock(dir);
        try {
            PgDataDir.stopOrphan(bin, dir);
            PgDataDir.secure(bin, dir, password, newPassword);
            EmbeddedDatabase db = new EmbeddedDatabase(bin, dir, port == 0 ? freePort() : port, password, lock);
            db.bringUp(within, attempts);
            return db;
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    /** JDBC URL of the {@code postgres} database as the {@code postgres} user, password included. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + PgDataDir.SUPERUSER + "&password="
                + password;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dir;
    }

    /** The running postmaster (this JVM's child); its {@code onExit()} is how a crash is noticed. */
    public Process process() {
        return process;
    }

    /**
     * Starts the postmaster, retrying with backoff until it accepts connections or {@code within} has passed;
     * then throws a {@link StartupException} whose message says why the last attempt failed.
     */
    public synchronized void bringUp(Duration within, Attempts attempts) {
        Instant deadline = Instant.now().plus(within);
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), RandomGenerator.getDefault(),
                Backoff.Sleeper.THREAD);
        backoff.next(); // the first retry waits a step: a crashed server's backends need a moment to exit
        while (true) {
            if (closed) {
                throw new StartupException("embedded Postgres in " + dir + " is closed");
            }
            Duration left = Duration.between(Instant.now(), deadline);
            try {
                launch(left.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : left);
                return;
            } catch (StartupException e) {
                left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    throw new StartupException("embedded Postgres in " + dir + " did not start within "
                            + within.toSeconds() + " s: " + e.getMessage() + (e.getMessage().contains(log.toString())
                            ? "" : " (server log: " + log + ")"), e);
                }
                Duration next = backoff.next();
                next = next.compareTo(left) > 0 ? left : next;
                attempts.failed(backoff.attempts() - 1, e.getMessage(), next);
                try {
                    Thread.sleep(next);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new StartupException("embedded Postgres start interrupted: " + e.getMessage(), e);
                }
            }
        }
    }

    private void launch(Duration timeout) {
        rotateLog();
        long offset = logSize();
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid"); // its own session: a Ctrl-C meant for the launcher does not reach it
        }
        cmd.addAll(bin.command("postgres", "-D", dir.toString(), "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir,
                "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
                "-c", "timezone=UTC", "-c", "max_connections=300"));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new StartupException("cannot run postgres: " + e.getMessage(), e);
        }
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                throw new StartupException(PgLog.reason(log, offset, p.exitValue()));
            }
            try (var c = DriverManager.getConnection(jdbcUrl(), connectProps())) {
                process = p;
                LOG.log(System.Logger.Level.INFO, "embedded Postgres (pid " + p.pid() + ") ready on 127.0.0.1:" + port
                        + ", data in " + dir);
                return;
            } catch (SQLException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        p.destroyForcibly();
        throw new StartupException("postgres did not accept connections within " + timeout.toSeconds() + " s ("
                + last + ")");
    }

    private static Properties connectProps() {
        Properties p = new Properties();
        p.setProperty("connectTimeout", "2");
        p.setProperty("loginTimeout", "3");
        return p;
    }

    /** Stops the postmaster (fast shutdown: open transactions are rolled back, committed ones are on disk). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Process p = process;
        try {
            if (p != null && p.isAlive()) {
                try {
                    PgDataDir.run(bin.command("pg_ctl", "stop", "-D", dir.toString(), "-m", "fast", "-w", "-t", "20"),
                            null, Duration.ofSeconds(25), "pg_ctl stop");
                } catch (StartupException e) {
                    LOG.log(System.Logger.Level.WARNING, "embedded Postgres did not stop cleanly: " + e.getMessage());
                }
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        } finally {
            closeQuietly(lockChannel);
        }
    }

    /** The directory's lock: held by whoever runs a postmaster on it (zonky's name, so older versions take it too). */
    private static FileChannel lock(Path dir) {
        Path file = dir.resolve("epg-lock");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new StartupException("the database in " + dir + " is in use by another process (" + file
                        + " is locked); stop it first");
            }
            return ch;
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw new StartupException("the database in " + dir + " is already open in this process");
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StartupException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (StartupException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private void rotateLog() {
        try {
            if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
                Files.move(log, sibling(log, ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot rotate " + log + ": " + e.getMessage());
        }
    }

    private long logSize() {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static Path sibling(Path p, String suffix) {
        return p.resolveSibling(p.getFileName() + suffix);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // releasing a lock on close cannot fail in a way we could act on
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new StartupException("cannot find a free port for the embedded Postgres: " + e.getMessage(), e);
        }
    }
}
