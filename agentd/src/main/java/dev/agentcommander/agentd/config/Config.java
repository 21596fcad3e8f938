package dev.agentcommander.agentd.config;

import dev.agentcommander.agentd.approvals.ApprovalMode;
import dev.agentcommander.agentd.approvals.TimeoutAction;
import dev.agentcommander.agentd.hooks.ListenAddress;
import dev.agentcommander.schema.log.LogLines;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * agentd's whole configuration, read once at start (see {@link ConfigLoader}; the keys are {@link Option}) and
 * passed down as plain values, so no part reads files or the environment on its own. Field names follow the YAML
 * keys.
 */
public record Config(ControlPlane controlPlane, String hostName, Tmux tmux, Storage storage, Hooks hooks,
                     Approvals approvals, Providers providers, Git git, Link link, Log log) {

    /**
     * {@code token} is resolved: inline {@code token}, else the content of {@code token_file}; may be empty.
     * {@code url} is the key's text: one URL, or several separated by commas (replicas without a load balancer).
     * {@code caFile} is null unless {@code ca_file} is set; {@code trustedCas} are its certificates, read and
     * checked at start (empty without it).
     */
    public record ControlPlane(String url, String token, Path tokenFile, Path caFile,
                               List<X509Certificate> trustedCas) {
        public ControlPlane {
            trustedCas = List.copyOf(trustedCas);
        }

        public ControlPlane(String url, String token, Path tokenFile) {
            this(url, token, tokenFile, null, List.of());
        }

        /** The URLs of {@code url} in the order given (validated when the configuration was built). */
        public List<java.net.URI> urls() {
            return ConfigBuilder.urls(url);
        }
    }

    public record Tmux(String bin, String socket, int pollIntervalMs) {
        public Duration pollInterval() {
            return Duration.ofMillis(pollIntervalMs);
        }
    }

    public record Storage(Path stateDir, long outboxMaxBytes) {
    }

    /**
     * {@code socket} is always served; {@code listen} (opt-in loopback TCP) is empty unless configured, and its
     * {@code toString()} is the form URLs and {@code --listen} take ({@code [::1]:7717}).
     */
    public record Hooks(Path socket, Optional<ListenAddress> listen) {
    }

    public record Approvals(ApprovalMode mode, int timeoutSeconds, TimeoutAction timeoutAction) {
    }

    /** {@code codexMaxJobs} and {@code codexAllowFullAccess} govern {@code spawn_job} (the jobs package). */
    public record Providers(String claudeExecPath, String codexExecPath, int codexMaxJobs,
                            boolean codexAllowFullAccess) {
    }

    /** {@code worktreeRoot} null means {@code <repo>/.worktrees}. */
    public record Git(int metadataTtlSeconds, Path worktreeRoot) {
    }

    public record Link(int window) {
    }

    /** {@code format}: how log records are written (one line each, text or JSON). */
    public record Log(LogLines.Format format) {
    }
}
