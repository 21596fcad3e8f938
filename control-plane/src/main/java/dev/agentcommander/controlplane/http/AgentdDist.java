package dev.agentcommander.controlplane.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the control plane finds what a dev box needs (the files of {@code GET /downloads/agentd.tar.gz}), looked up
 * beside the control plane's own jar at each download, so a rebuilt agentd is served without a restart:
 * <ul>
 *   <li>an installed control plane: a directory {@code agentd/} next to its jar, already in the distribution
 *       layout below (a container image or a package puts it there);</li>
 *   <li>the source tree ({@code ./commander}, tests): the jar or classes are in {@code control-plane/target}, and
 *       the parts are gathered from {@code agentd/target} (jar, {@code lib/}), {@code agentd/src/main/sh}
 *       (launcher, hook script), {@code agentd/src/main/jvm} (argfiles) and {@code systemd/} (the unit and the
 *       example config, each only if present).</li>
 * </ul>
 * The distribution layout, under {@code agentd/} in the archive, is the one agentd's launcher expects:
 * {@code agentd}, {@code agentd-hook}, {@code agentd.jar}, {@code lib/}, {@code jvm/}, {@code systemd/},
 * {@code config.yaml.example}. docs/design-notes.md says why.
 */
record AgentdDist(List<Entry> entries) {
    /** One file of the archive: its name under {@code agentd/}, where it is, whether it is a program. */
    record Entry(String name, Path file, boolean executable) {
    }

    /** The distribution beside {@code codeSource} (the control plane's jar or classes directory), if built. */
    static Optional<AgentdDist> find(Path codeSource) {
        Path dir = codeSource.toAbsolutePath().normalize().getParent();
        if (dir == null) {
            return Optional.empty();
        }
        Path installed = dir.resolve("agentd");
        if (Files.isRegularFile(installed.resolve("agentd.jar"))) {
            return Optional.of(installed(installed));
        }
        Path module = dir.getParent(); // control-plane/target → control-plane → the checkout
        if (module == null || !dir.getFileName().toString().equals("target")) {
            return Optional.empty();
        }
        return sourceTree(module.getParent());
    }

    /** Where this class was loaded from: the control plane's jar, or its classes directory. */
    static Path codeSource() {
        try {
            return Path.of(AgentdDist.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("control-plane.jar").toAbsolutePath();
        }
    }

    private static AgentdDist installed(Path dir) {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> out.add(new Entry(
                    dir.relativize(f).toString(), f, Files.isExecutable(f))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return new AgentdDist(out);
    }

    private static Optional<AgentdDist> sourceTree(Path root) {
        if (root == null) {
            return Optional.empty();
        }
        Path agentd = root.resolve("agentd");
        Path target = agentd.resolve("target");
        Path lib = target.resolve("lib");
        Optional<Path> jar = list(target).stream().filter(p -> {
            String n = p.getFileName().toString();
            return n.startsWith("agentd-") && n.endsWith(".jar") && !n.endsWith("-tests.jar");
        }).findFirst();
        if (jar.isEmpty() || !Files.isDirectory(lib)) {
            return Optional.empty();
        }
        List<Entry> out = new ArrayList<>();
        out.add(new Entry("agentd", agentd.resolve("src/main/sh/agentd"), true));
        out.add(new Entry("agentd-hook", agentd.resolve("src/main/sh/agentd-hook"), true));
        out.add(new Entry("agentd.jar", jar.get(), false));
        list(lib).forEach(p -> out.add(new Entry("lib/" + p.getFileName(), p, false)));
        list(agentd.resolve("src/main/jvm")).forEach(p -> out.add(new Entry("jvm/" + p.getFileName(), p, false)));
        Path systemd = root.resolve("systemd");
        for (String unit : List.of("agentd@.service", "agentd.env.example")) {
            if (Files.isRegularFile(systemd.resolve(unit))) {
                out.add(new Entry("systemd/" + unit, systemd.resolve(unit), false));
            }
        }
        if (Files.isRegularFile(systemd.resolve("config.yaml"))) {
            out.add(new Entry("config.yaml.example", systemd.resolve("config.yaml"), false));
        }
        return out.stream().allMatch(e -> Files.isRegularFile(e.file())) ? Optional.of(new AgentdDist(out))
                : Optional.empty();
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Names, sizes and modification times: when this changes, the archive is built again. */
    String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            try {
                b.append(e.name()).append('|').append(Files.size(e.file())).append('|')
                        .append(Files.getLastModifiedTime(e.file()).toMillis()).append('\n');
            } catch (IOException x) {
                throw new UncheckedIOException("cannot read " + e.file(), x);
            }
        }
        return b.toString();
    }
}
