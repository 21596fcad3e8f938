package dev.agentcommander.controlplane.db;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What is done to the embedded data directory while no postmaster runs on it: create it (initdb with a password,
 * never trust), bring an older one up to the same standard in place (set the password in single-user mode, then
 * replace pg_hba.conf), and stop a postmaster left behind by a killed JVM. Nothing here ever listens on a socket,
 * so there is no moment at which the database is open to other local users.
 */
final class PgDataDir {
    private static final System.Logger LOG = System.getLogger(PgDataDir.class.getName());
    static final String SUPERUSER = "postgres";
    /** pg_hba.conf as this process writes it: every connection, socket or TCP, needs the password. */
    static final String HBA = """
            # Written by Agent Commander at every start (edits are replaced): every connection needs the password
            # kept next to this directory in <data dir>-password (mode 0600). Nothing is trusted.
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 scram-sha-256
            host    all       all   127.0.0.1/32  scram-sha-256
            host    all       all   ::1/128       scram-sha-256
            """;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PgDataDir() {
    }

    static boolean initialized(Path dir) {
        return Files.exists(dir.resolve("PG_VERSION"));
    }

    /** The password in {@code file}, generated (0600) when the file is missing or empty. */
    static String password(Path file) {
        try {
            if (Files.exists(file)) {
                PrivateDirs.requireTrusted(file, "database password file");
                if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(file)).equals("rw-------")) {
                    LOG.log(System.Logger.Level.WARNING, file + " was readable by others; made rw-------");
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                }
                String pw = Files.readString(file).trim();
                if (!pw.isEmpty()) {
                    return pw;
                }
            }
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            String pw = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            PrivateDirs.writePrivate(file, pw + "\n");
            return pw;
        } catch (IOException e) {
            throw new StartupException("cannot read or create the database password file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** initdb, with the password, into a temporary sibling moved into place: a crash never leaves half a cluster. */
    static void create(PostgresBinaries bin, Path dir, Path passwordFile) {
        try {
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new StartupException(dir + " is not empty but holds no Postgres data directory "
                                + "(no PG_VERSION); move it away or point DATA_DIR elsewhere");
                    }
                }
                Files.delete(dir);
            }
            Path tmp = dir.resolveSibling(dir.getFileName() + ".initdb");
            PostgresBinaries.deleteTree(tmp);
            LOG.log(System.Logger.Level.INFO, "creating a new database in " + dir);
            run(bin.command("initdb", "-D", tmp.toString(), "-U", SUPERUSER, "--auth=scram-sha-256",
                    "--pwfile=" + passwordFile, "-E", "UTF-8", "--locale=C", "--locale-provider=builtin",
                    "--builtin-locale=C.UTF-8"), null, Duration.ofSeconds(120), "initdb");
            Files.writeString(tmp.resolve("pg_hba.conf"), HBA);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StartupException("cannot create the database in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A data directory made by an older version trusts every local connection (and one whose password file was
     * removed has a password nobody knows). Sets the superuser's password in
     * single-user mode (no socket is open) and only then replaces pg_hba.conf, so an interrupted upgrade is
     * simply done again at the next start.
     */
    static void secure(PostgresBinaries bin, Path dir, String password, boolean newPassword) {
        Path hba = dir.resolve("pg_hba.conf");
        try {
            if (!newPassword && Files.exists(hba) && Files.readString(hba).equals(HBA)) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, dir + (newPassword ? ": its password file was missing; setting a "
                    + "new password" : ": pg_hba.conf allowed connections without a password (made by an older "
                    + "version); setting a password and requiring it"));
            // the statement goes in on stdin and is never echoed into a log (it holds the password)
            run(bin.command("postgres", "--single", "-D", dir.toString(), "-c", "password_encryption=scram-sha-256",
                    "-c", "log_min_error_statement=panic", SUPERUSER),
                    "ALTER ROLE " + SUPERUSER + " WITH PASSWORD '" + password + "';\n", Duration.ofSeconds(120),
                    "postgres --single");
            PrivateDirs.writePrivate(hba, HBA);
        } catch (IOException e) {
            throw new StartupException("cannot secure " + hba + ": " + e.getMessage(), e);
        }
    }

    /** A postmaster left by a killed JVM still owns the directory: stop it (the caller holds the directory's lock). */
    static void stopOrphan(PostgresBinaries bin, Path dir) {
        Optional<ProcessHandle> ph = postmaster(dir);
        if (ph.isEmpty()) {
            return;
        }
        long pid = ph.get().pid();
        LOG.log(System.Logger.Level.WARNING, "stopping orphaned postgres pid " + pid + " in " + dir);
        try {
            run(bin.command("pg_ctl", "stop", "-D", dir.toString(), "-m", "fast", "-w", "-t", "30"), null,
                    Duration.ofSeconds(40), "pg_ctl stop");
        } catch (StartupException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; sending SIGTERM");
            ph.get().destroy();
        }
        try {
            ph.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StartupException("orphaned postgres pid " + pid + " in " + dir + " did not stop; stop it and "
                    + "start again", e);
        }
    }

    /** The live postmaster named by {@code postmaster.pid}, if any. */
    static Optional<ProcessHandle> postmaster(Path dir) {
        try {
            Path pidFile = dir.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            long pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Runs a Postgres tool to completion; a non-zero exit becomes a StartupException carrying its last lines. */
    static String run(List<String> cmd, String stdin, Duration timeout, String what) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            Thread.ofVirtual().name(what + "-output").start(() -> {
                try {
                    out.complete(p.getInputStream().readAllBytes());
                } catch (IOException e) {
                    out.complete(new byte[0]);
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new StartupException(what + " did not finish within " + timeout.toSeconds() + " s");
            }
            String text = new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new StartupException(what + " failed (exit " + p.exitValue() + "): " + lastLines(text));
            }
            return text;
        } catch (IOException e) {
            throw new StartupException(what + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException(what + " interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException(what + ": its output could not be read", e);
        }
    }

    private static String lastLines(String text) {
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
