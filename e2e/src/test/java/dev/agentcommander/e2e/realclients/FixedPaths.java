package dev.agentcommander.e2e.realclients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Directories whose path has the same length on every machine and in every checkout ({@code /tmp/<prefix><10
 * chars>}), for what a real CLI draws on screen: a golden screen must wrap at the same places everywhere.
 */
final class FixedPaths {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private FixedPaths() {
    }

    static Path create(String prefix) {
        for (int attempt = 0; attempt < 10; attempt++) {
            StringBuilder name = new StringBuilder(prefix);
            for (int i = 0; i < 10; i++) {
                name.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
            try {
                return Files.createDirectory(Path.of("/tmp", name.toString())).toRealPath();
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // try another name
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("cannot create a directory /tmp/" + prefix + "…");
    }

    /** Deletes {@code dir} and everything under it; a file that cannot be deleted is left and reported. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.getLogger(FixedPaths.class.getName()).log(System.Logger.Level.WARNING,
                    "could not delete " + dir + ": " + e);
        }
    }
}
