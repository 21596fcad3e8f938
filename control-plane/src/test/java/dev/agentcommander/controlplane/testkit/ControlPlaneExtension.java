package dev.agentcommander.controlplane.testkit;

import dev.agentcommander.controlplane.ServerConfig;
import dev.agentcommander.controlplane.db.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A started control plane for a test class, on its own embedded Postgres in a temp dir:
 * {@code @RegisterExtension static final ControlPlaneExtension cp = new ControlPlaneExtension();}. Before the
 * class it starts, after the class it stops and deletes everything. {@link #replica()} starts another control plane
 * on the same database, as a second replica behind a load balancer would be. A {@link TestClock} given to the
 * constructor or to {@link #replica(Clock)} is the one that control plane decides by.
 */
public final class ControlPlaneExtension extends TestControlPlane implements BeforeAllCallback, AfterAllCallback {
    /** The JWT secret every instance of one extension shares, so a token works on each replica. */
    public static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123";

    private final List<TestControlPlane> replicas = new ArrayList<>();
    private final Clock clock;
    private UnaryOperator<ServerConfig> configure = UnaryOperator.identity();
    private Path dir;
    private EmbeddedDatabase pg;

    public ControlPlaneExtension() {
        this(Clock.systemUTC());
    }

    /** A control plane whose injected clock is {@code clock}. */
    public ControlPlaneExtension(Clock clock) {
        this.clock = clock;
    }

    /** Adjusts the configuration of the first control plane (sign-in settings, PUBLIC_URL) before it starts. */
    public ControlPlaneExtension configured(UnaryOperator<ServerConfig> change) {
        this.configure = change;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "control-plane");
        pg = EmbeddedDatabase.start(dir.resolve("pg"));
        start(configure.apply(config("cp-1")), clock);
    }

    /** Another control plane on this extension's database; stopped with the extension if not before. */
    public TestControlPlane replica() {
        return replica(Clock.systemUTC());
    }

    /** A replica whose injected clock is {@code clock}. */
    public TestControlPlane replica(Clock replicaClock) {
        return replica(replicaClock, UnaryOperator.identity());
    }

    /** A replica whose injected clock is {@code clock} and whose configuration {@code change} adjusts. */
    public TestControlPlane replica(Clock replicaClock, UnaryOperator<ServerConfig> change) {
        TestControlPlane r = new TestControlPlane(change.apply(config("cp-" + (replicas.size() + 2))), replicaClock);
        replicas.add(r);
        return r;
    }

    private ServerConfig config(String name) {
        return new ServerConfig(pg.jdbcUrl(), JWT_SECRET, "127.0.0.1", 0, null, dir.resolve(name), 0);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            replicas.forEach(TestControlPlane::close);
            close();
        } finally {
            if (pg != null) {
                pg.close();
            }
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
