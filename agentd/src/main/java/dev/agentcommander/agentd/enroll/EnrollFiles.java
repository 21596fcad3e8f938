package dev.agentcommander.agentd.enroll;

import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;

/**
 * The two files enrollment leaves: the host token in {@code token} beside the config (0600, written to a temporary
 * name and moved, so no reader ever sees half a token) and a config with the three keys enrollment knows
 * ({@code control_plane.url}, {@code control_plane.token_file}, {@code host_name}); everything else keeps its
 * default, which is what {@code agentd run} reads for a key that is absent. Values are written as JSON strings,
 * which YAML reads as the same strings whatever they hold.
 */
final class EnrollFiles {
    private final Path config;
    private final Path token;

    /** Enrollment refused before anything was sent. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    EnrollFiles(Path config) {
        this.config = config;
        this.token = config.resolveSibling("token");
    }

    Path configFile() {
        return config;
    }

    Path tokenFile() {
        return token;
    }

    /**
     * Makes the directory and refuses to replace a token or config unless {@code force}. A new directory is 0700,
     * or 0755 when {@code shared}: the system config directory, which the service's user (not root) must enter.
     */
    void checkWritable(boolean force, boolean shared) throws Refused {
        if (!force) {
            if (Files.exists(token)) {
                throw new Refused(token + " exists: this machine is enrolled already. --force replaces its token"
                        + " and config (the old host stays on the Hosts page until an admin removes it)");
            }
            if (Files.exists(config)) {
                throw new Refused(config + " exists; --force replaces it (the old one is kept as "
                        + config.getFileName() + ".bak)");
            }
        }
        Path dir = config.getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(shared ? "rwxr-xr-x" : "rwx------")));
            }
        } catch (IOException e) {
            throw new Refused("cannot create " + dir + ": " + e.getMessage()
                    + " (run as root for /etc/agentd, or give --config FILE)");
        }
        if (!Files.isWritable(dir)) {
            throw new Refused("cannot write in " + dir + " (run as root for /etc/agentd, or give --config FILE)");
        }
    }

    /** Writes the token, then the config; {@code owner} (may be null) gets the token file (root only). */
    void write(String hostToken, String agentUrl, String hostName, String owner) throws IOException {
        writeAtomically(token, hostToken + "\n", "rw-------");
        if (owner != null) {
            UserPrincipal p = token.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner);
            Files.setOwner(token, p);
        }
        if (Files.exists(config)) {
            Files.copy(config, config.resolveSibling(config.getFileName() + ".bak"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        String yaml = "# written by `agentd enroll` at " + Instant.now() + "; every key agentd accepts is in\n"
                + "# config.yaml.example beside agentd (unknown keys are refused at start)\n"
                + "control_plane:\n"
                + "  url: " + quoted(agentUrl) + "\n"
                + "  token_file: " + quoted(token.toString()) + "\n"
                + "host_name: " + quoted(hostName) + "\n";
        writeAtomically(config, yaml, "rw-r--r--");
    }

    private static String quoted(String s) {
        return Json.mapper().getNodeFactory().textNode(s).toString();
    }

    private static void writeAtomically(Path file, String content, String mode) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The directory agentd's jar is in (the distribution: launcher, libraries), or null when unknown. */
    static Path distDir() {
        try {
            Path jar = Path.of(EnrollFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(jar) ? jar.getParent() : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
