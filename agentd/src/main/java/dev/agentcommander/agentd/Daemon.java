package dev.agentcommander.agentd;

import dev.agentcommander.agentd.approvals.ApprovalBroker;
import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.approvals.ScreenApprovals;
import dev.agentcommander.agentd.commands.CommandExecutor;
import dev.agentcommander.agentd.commands.Spawner;
import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.console.ConsoleConfig;
import dev.agentcommander.agentd.console.ControlModeConsole;
import dev.agentcommander.agentd.hooks.HookServer;
import dev.agentcommander.agentd.hooks.ProjectHooks;
import dev.agentcommander.agentd.jobs.AppServerAsk;
import dev.agentcommander.agentd.jobs.JobRunner;
import dev.agentcommander.agentd.jobs.SentEvents;
import dev.agentcommander.agentd.link.Link;
import dev.agentcommander.agentd.link.Transport;
import dev.agentcommander.agentd.outbox.Outbox;
import dev.agentcommander.agentd.outbox.PrivateFiles;
import dev.agentcommander.agentd.panes.GitInfo;
import dev.agentcommander.agentd.panes.PaneScanner;
import dev.agentcommander.agentd.panes.PaneStatusDetector;
import dev.agentcommander.agentd.panes.PromptWatcher;
import dev.agentcommander.agentd.panes.ProviderDetector;
import dev.agentcommander.agentd.panes.SessionIds;
import dev.agentcommander.agentd.systemd.ServiceNotifier;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.loop.Backoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The one place agentd's parts are built and connected, in dependency order, and closed in reverse. The
 * transport is the one part tests swap (for an in-memory control plane); everything else is the real thing.
 */
final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());

    /** Hooks held open at once; past it a hook gets 503 and Claude shows its own prompt. */
    private static final int MAX_WAITING_APPROVALS = 256;

    /** A scanner round may take several tmux timeouts on a struggling server; past this it counts as stuck. */
    private static final Duration SCANNER_STUCK_MIN = Duration.ofSeconds(60);

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Duration pollInterval;
    private final Outbox outbox;
    private final PaneScanner scanner;
    private final Link link;

    /**
     * @param home and {@code env}: the user's home and the process environment (where spawned worktrees' hook
     *             script goes, the shell a spawned shell session runs); Main passes the real ones
     */
    public Daemon(Config config, Path home, Map<String, String> env, Transport transport, Clock clock,
                  String agentVersion) {
        pollInterval = config.tmux().pollInterval();
        PrivateFiles.secureDirectoryTree(config.storage().stateDir(), "storage.state_dir"); // 0700, files 0600
        PrivateFiles.exposure(config.controlPlane().tokenFile(), "control_plane.token_file")
                .ifPresent(w -> LOG.log(Level.WARNING, w));
        outbox = new Outbox(config.storage().stateDir(), config.storage().outboxMaxBytes(), clock);
        parts.add(outbox);
        try {
            Tmux tmux = new Tmux(config.tmux().bin(), config.tmux().socket());
            PaneStatusDetector status = new PaneStatusDetector(tmux, clock, PaneStatusDetector.Config.DEFAULTS);
            // the broker needs the status detector; the scanner reaches the broker through a PromptWatcher
            ApprovalMode mode = config.approvals().mode();
            ApprovalBroker broker = keep(new ApprovalBroker(outbox, status, tmux, clock, mode,
                    Duration.ofSeconds(config.approvals().timeoutSeconds()), config.approvals().timeoutAction(),
                    MAX_WAITING_APPROVALS)).start();
            PromptWatcher prompts = new ScreenApprovals(broker); // hook mode too: a dialog answered in the pane
            SessionIds ids = new SessionIds();
            scanner = keep(new PaneScanner(tmux, outbox, status, prompts,
                    new ProviderDetector(Path.of("/proc"), clock),
                    new GitInfo(Duration.ofSeconds(config.git().metadataTtlSeconds()), clock), ids,
                    config.storage().stateDir(), clock, config.tmux().pollInterval()));
            ControlModeConsole console = keep(new ControlModeConsole(tmux, scanner, outbox,
                    ConsoleConfig.DEFAULTS));
            HookServer.Settings hookSettings = HookServer.Settings.of(config.hooks().socket())
                    .withListen(config.hooks().listen().orElse(null));
            HookServer hooks = keep(new HookServer(hookSettings, outbox, scanner, status, broker));
            try {
                hooks.start();
            } catch (IOException e) {
                throw new UncheckedIOException("hooks.socket: cannot serve " + config.hooks().socket() + ": "
                        + e.getMessage(), e);
            }
            String shell = Optional.ofNullable(env.get("SHELL")).filter(s -> !s.isBlank()).orElse("/bin/sh");
            ProjectHooks worktreeHooks = new ProjectHooks(home, env, config.hooks().socket(),
                    config.approvals().timeoutSeconds());
            Spawner spawner = new Spawner(tmux, ids, new Spawner.Settings(config.providers().claudeExecPath(),
                    config.providers().codexExecPath(), shell, config.git().worktreeRoot()), worktreeHooks::install);
            JobRunner jobs = keep(new JobRunner(JobRunner.Settings.of(config.providers().codexExecPath(),
                    config.providers().codexMaxJobs(), config.providers().codexAllowFullAccess()), outbox,
                    SentEvents.of(outbox), config.storage().stateDir(), clock, AppServerAsk.through(broker)));
            CommandExecutor executor = keep(new CommandExecutor(tmux, outbox, scanner, console, ids, spawner, jobs,
                    config.storage().stateDir()));
            link = keep(new Link(new Link.Settings(config.controlPlane().urls(),
                    config.controlPlane().token(), config.hostName(), agentVersion, config.link().window()),
                    transport, outbox, executor, broker::onDecision, Backoff.link(RandomGenerator.getDefault()),
                    clock));
            try {
                scanner.scanOnce(); // sessions known before the first command can arrive
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "first pane scan failed: " + e.getMessage());
            }
            jobs.start(); // before the link: no ack can delete outbox entries a job's recovery reads
            executor.start();
            scanner.start();
            link.start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T keep(T part) {
        parts.add(part);
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

    /**
     * One line for systemd's {@code STATUS=}: the link, the panes and the outbox backlog (messages not yet acked).
     * Read under the parts' own locks, so a deadlock in one of them stops the watchdog loop that asks.
     */
    public String status() {
        long backlog = Math.max(0, outbox.lastSeq() - outbox.ackedSeq());
        int panes = scanner.sessionCount();
        return "link " + (link.connected() ? "connected" : "disconnected") + ", " + panes + (panes == 1 ? " pane"
                : " panes") + ", outbox backlog " + backlog + (backlog == 1 ? " message" : " messages") + " ("
                + outbox.unackedBytes() + " bytes)";
    }

    /**
     * The loops the watchdog requires to move: the scanner, which runs every poll interval and goes through tmux,
     * the outbox and the session registry. The other loops wait on queues or on the network by design (an idle
     * command loop or a link in backoff is not stuck); the status read before each ping covers their locks.
     */
    public List<ServiceNotifier.Liveness> liveness() {
        Duration bound = pollInterval.multipliedBy(10);
        return List.of(new ServiceNotifier.Liveness("agentd-scanner", scanner::lastRound,
                bound.compareTo(SCANNER_STUCK_MIN) > 0 ? bound : SCANNER_STUCK_MIN));
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
}
