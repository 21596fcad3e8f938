package dev.agentcommander.agentd.doctor;

import dev.agentcommander.agentd.config.Config;
import dev.agentcommander.agentd.link.Transport;
import dev.agentcommander.agentd.outbox.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code agentd doctor}: every way a dev box's agentd is commonly broken, checked from the outside the way agentd
 * itself would meet it (as this user, with this config), each finding with its fix. It changes nothing: no
 * directory is created, no hook installed, and the control plane probe never says {@code agent.hello}, so a running
 * agentd's link is not superseded.
 */
public final class Doctor {
    /**
     * Who and where the doctor runs, so tests can stand a different box up: the environment, this process's uid
     * and user name, the home and working directories, and the root tmux keeps its sockets under ({@code /tmp}).
     */
    public record Host(Map<String, String> env, long uid, String user, Path home, Path cwd, Path tmpRoot,
                       Path mountinfo) {
        /** The real process: uid from /proc/self (owned by the process's effective uid). */
        public static Host current() {
            long uid;
            try {
                uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
            } catch (IOException | RuntimeException e) {
                uid = -1;
            }
            return new Host(System.getenv(), uid, System.getProperty("user.name"),
                    Path.of(System.getProperty("user.home")), Path.of("").toAbsolutePath(), Path.of("/tmp"),
                    Path.of("/proc/self/mountinfo"));
        }
    }

    private final Config config;
    private final Host host;
    private final Transport transport;
    private final Clock clock;
    private final Duration timeout;

    /** @param timeout for each network step and each program run (tmux -V, codex --version …) */
    public Doctor(Config config, Host host, Transport transport, Clock clock, Duration timeout) {
        this.config = config;
        this.host = host;
        this.transport = transport;
        this.clock = clock;
        this.timeout = timeout;
    }

    public List<Check> run() {
        List<Check> checks = new ArrayList<>();
        Programs programs = new Programs(host.env(), timeout);
        TmuxChecks tmux = new TmuxChecks(config.tmux(), host, programs);
        checks.add(tmux.binary());
        checks.add(tmux.server());
        StateChecks state = new StateChecks(config, host);
        checks.add(state.stateDir());
        checks.add(state.diskBudget());
        checks.add(state.hookSocket());
        Path tokenFile = config.controlPlane().tokenFile();
        PrivateFiles.exposure(tokenFile, "control_plane.token_file").ifPresent(w -> checks.add(Check.warn(
                "control_plane.token_file", w, "chmod 600 " + tokenFile)));
        checks.addAll(new ControlPlaneProbe(config.controlPlane(), transport, clock, timeout).run());
        ToolChecks tools = new ToolChecks(config, host, programs);
        checks.addAll(tools.claudeHooks());
        checks.add(tools.codex());
        checks.add(tools.git());
        return checks;
    }

    /** The one finding when the config itself does not load: nothing else can be checked without it. */
    public static List<Check> configFailed(Path file, String message) {
        return List.of(Check.fail("config", message, "correct " + file + " (every key: systemd/config.yaml in "
                + "the distribution; unknown keys are refused) or name another with --config FILE"));
    }
}
