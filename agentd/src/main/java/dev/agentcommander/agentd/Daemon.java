package dev.agentcommander.agentd;

import dev.agentcommander.agentd.commands.CommandExecutor;
import dev.agentcommander.agentd.commands.Spawner;
import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.console.Console;
import dev.agentcommander.agentd.console.ControlModeConsole;
import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.hooks.HookServer;
import dev.agentcommander.agentd.hooks.ProjectHooks;
import dev.agentcommander.agentd.approvals.ScreenApprovals;
import dev.agentcommander.agentd.link.Link;
import dev.agentcommander.agentd.link.Transport;
import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.PaneScanner;
import dev.agentcommander.agentd.panes.PaneStatusDetector;
import dev.agentcommander.agentd.panes.PromptWatcher;
import dev.agentcommander.agentd.panes.ProviderDetector;
import dev.agentcommander.agentd.panes.SessionDirectory;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.panes.StatusDetector;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.loop.Backoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * The one place agentd's parts are built and connected, in dependency order, and closed in reverse. Parts
 * that tests may swap (status detection, console streaming) come in through {@link Factories}.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    /**
     * What a factory may use. {@code status} is null while the status detector itself is being made;
     * {@code sessions} answers once the scanner exists (it is built after the status detector).
     */
    public record Context(Config config, Tmux tmux, Outbox outbound, SessionDirectory sessions,
                          StatusDetector status, Clock clock) {
    }

    /**
     * Makers of the parts that tests may want to swap (status detection, console streaming). Anything they return
     * that is AutoCloseable is closed on stop.
     */
    public record Factories(Function<Context, StatusDetector> status, Function<Context, Console> console) {
        /** What agentd runs with: screen and hook status detection, control-mode console streaming. */
        public static Factories standard() {
            return new Factories(c -> new PaneStatusDetector(c.tmux(), c.clock(), PaneStatusDetector.Config.DEFAULTS),
                    c -> new ControlModeConsole(c.tmux(), c.sessions(), c.outbound(), ControlModeConsole.Config.DEFAULTS));
        }
    }

    /** Hooks held open at once; past it a hook gets 503 and Claude shows its own prompt. */
    private static final int MAX_WAITING_APPROVALS = 256;

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Outbox outbox;
    private final PaneScanner scanner;
    private final Link link;

    public Daemon(Config config, Factories factories, Transport transport, Clock clock, String agentVersion) {
        try {
            Files.createDirectories(config.storage().stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("storage.state_dir: cannot create " + config.storage().stateDir(), e);
        }
        outbox = new Outbox(config.storage().stateDir(), config.storage().outboxMaxBytes(), clock);
        parts.add(outbox);
        try {
            Tmux tmux = new Tmux(config.tmux().bin(), config.tmux().socket());
            SessionRef ref = new SessionRef();
            Context pre = new Context(config, tmux, outbox, ref, null, clock);
            StatusDetector status = keep(factories.status().apply(pre));
            // the broker needs the status detector; the scanner reaches the broker through a PromptWatcher
            ApprovalMode mode = config.approvals().mode();
            ApprovalBroker broker = keep(new ApprovalBroker(outbox, status, tmux, clock, mode,
                    Duration.ofSeconds(config.approvals().timeoutSeconds()), MAX_WAITING_APPROVALS)).start();
            PromptWatcher prompts = mode == ApprovalMode.HOOK ? PromptWatcher.NONE : new ScreenApprovals(broker);
            SessionIds ids = new SessionIds();
            scanner = new PaneScanner(tmux, outbox, status, prompts, new ProviderDetector(Path.of("/proc")),
                    new GitInfo(Duration.ofSeconds(config.git().metadataTtlSeconds()), clock), ids,
                    config.storage().stateDir(), clock, config.tmux().pollInterval());
            ref.target = scanner;
            parts.add(scanner);
            Context ctx = new Context(config, tmux, outbox, scanner, status, clock);
            Console console = keep(factories.console().apply(ctx));
            HookServer hooks = keep(new HookServer(config.hooks().listen(), outbox, scanner, status, broker));
            try {
                hooks.start();
            } catch (IOException e) {
                throw new UncheckedIOException("hooks.listen: cannot listen on " + config.hooks().listen(), e);
            }
            String shell = Optional.ofNullable(System.getenv("SHELL")).filter(s -> !s.isBlank()).orElse("/bin/sh");
            Spawner spawner = new Spawner(tmux, ids, new Spawner.Settings(config.providers().claudeExecPath(),
                    config.providers().codexExecPath(), shell, config.git().worktreeRoot()),
                    new ProjectHooks(Path.of(System.getProperty("user.home")), System.getenv(),
                            config.hooks().listen(), config.approvals().timeoutSeconds()));
            CommandExecutor executor = new CommandExecutor(tmux, outbox, scanner, console, ids, spawner,
                    config.storage().stateDir());
            parts.add(executor);
            link = new Link(new Link.Settings(URI.create(config.controlPlane().url()), config.controlPlane().token(),
                    config.hostName(), agentVersion, config.link().window()), transport, outbox, executor,
                    broker::onDecision, Backoff.link(RandomGenerator.getDefault()), clock);
            parts.add(link);
            try {
                scanner.scanOnce(); // sessions known before the first command can arrive
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "first pane scan failed: " + e.getMessage());
            }
            executor.start();
            scanner.start();
            link.start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private <T> T keep(T part) {
        if (part instanceof AutoCloseable c) {
            parts.add(c);
        }
        return part;
    }

    public Outbox outbox() {
        return outbox;
    }

    public PaneScanner scanner() {
        return scanner;
    }

    public Link link() {
        return link;
    }

    /** Stops the link first (nothing new arrives), then producers, then the outbox they write to. */
    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing " + parts.get(i).getClass().getSimpleName() + " failed", e);
            }
        }
        parts.clear();
    }

    /** Lets factories made before the scanner hold a directory that answers once the scanner exists. */
    private static final class SessionRef implements SessionDirectory {
        volatile SessionDirectory target;

        @Override
        public Optional<Session> bySessionId(String sessionId) {
            return target == null ? Optional.empty() : target.bySessionId(sessionId);
        }

        @Override
        public Optional<Session> byPaneId(String paneId) {
            return target == null ? Optional.empty() : target.byPaneId(paneId);
        }

        @Override
        public void poke() {
            if (target != null) {
                target.poke();
            }
        }
    }

}
