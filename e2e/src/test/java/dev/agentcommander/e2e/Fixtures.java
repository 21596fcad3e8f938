package dev.agentcommander.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Files the tests need on disk: stand-in agents on a PATH of their own, and git repositories. */
final class Fixtures {
    private Fixtures() {
    }

    /** Copies the stand-in scripts ({@code claude}, …) into {@code dir}/bin, executable, and returns that dir. */
    static Path standinBin(Path dir) throws IOException {
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        for (String name : List.of("claude")) {
            try (InputStream in = Fixtures.class.getResourceAsStream("/standins/" + name)) {
                Path target = bin.resolve(name);
                Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        return bin;
    }

    /** A git repository with one commit on {@code branch}. */
    static Path gitRepo(Path dir, String branch) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        git(dir, "init", "-q", "-b", branch);
        Files.writeString(dir.resolve("README"), "test repo\n");
        git(dir, "add", "README");
        git(dir, "-c", "user.email=e2e@example.invalid", "-c", "user.name=e2e", "commit", "-q", "-m", "init");
        return dir.toRealPath();
    }

    static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
        }
    }
}
