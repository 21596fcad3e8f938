package dev.agentcommander.agentd.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.CommandSpec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.loop.NamedLoop;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs headless {@code codex exec --json} jobs: at most {@code maxJobs} at once, the rest queued (status
 * {@code WAITING}) in arrival order; every stdout line forwarded as {@code codex.event} / {@code codex.unparsed}
 * in order, then one {@code job.exited}; the job's session upserted as it goes (RUNNING → DONE | ERROR, EXITED
 * when cancelled). A job runs detached from agentd ({@link JobProcess}), so an agentd restart only pauses the
 * forwarding: {@link #start()} picks every job up from its state file and {@link SentEvents}.
 */
public final class JobRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JobRunner.class.getName());
    static final String STARTED = "job.started";
    static final String EXITED = "job.exited";
    /** Lines one job forwards per round before the next job gets its turn. */
    private static final int LINES_PER_ROUND = 2000;
    /** With no job running, how long the loop sleeps unless a spawn wakes it. */
    private static final Duration IDLE_WAIT = Duration.ofSeconds(5);

    /**
     * @param killGrace how long a cancelled job has after SIGTERM before its group gets SIGKILL (5 s)
     * @param poll      how often running jobs' output files are read
     */
    public record Settings(String execPath, int maxJobs, boolean allowFullAccess, Duration killGrace,
                           Duration poll) {
        public static Settings of(String execPath, int maxJobs, boolean allowFullAccess) {
            return new Settings(execPath, maxJobs, allowFullAccess, Duration.ofSeconds(5), Duration.ofMillis(20));
        }
    }

    /** A refusal the requester can fix (a missing cwd, a sandbox the host forbids, an unknown job). */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final Settings settings;
    private final Outbound out;
    private final SentEvents sent;
    private final Path jobsDir;
    private final Clock clock;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    /** Released by {@link #spawn}: the loop waits on it while no exec job runs. */
    private final Semaphore wake = new Semaphore(0);
    /** Who answers an {@code approvals: "ask"} job's requests; null: such jobs are refused. */
    private final AppServerAsk asker;
    private NamedLoop loop;

    public JobRunner(Settings settings, Outbound out, SentEvents sent, Path stateDir, Clock clock) {
        this(settings, out, sent, stateDir, clock, null);
    }

    /** @param asker answers {@code approvals: "ask"} jobs' requests (agentd: through the approval broker) */
    public JobRunner(Settings settings, Outbound out, SentEvents sent, Path stateDir, Clock clock,
                     AppServerAsk asker) {
        this.asker = asker;
        this.settings = settings;
        this.out = out;
        this.sent = sent;
        this.jobsDir = stateDir.resolve("jobs");
        this.clock = clock;
    }

    /** Picks up the jobs a previous agentd left (see {@link JobRecovery}), then forwards on {@code agentd-jobs}. */
    public void start() {
        synchronized (this) {
            for (JobFiles f : JobFiles.all(jobsDir)) {
                try {
                    Job j = new Job(f, f.read());
                    if (JobRecovery.resume(j, sent, out, this)) {
                        jobs.put(j.id(), j);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot resume the job in " + f.dir() + ": " + e.getMessage(), e);
                }
            }
        }
        loop = NamedLoop.start("agentd-jobs", () -> {
            if (tick()) {
                Thread.sleep(settings.poll().toMillis());
            } else if (wake.tryAcquire(IDLE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) { // no job: no 20 ms polling
                wake.drainPermits();
            }
        }, (name, e) -> LOG.log(Level.WARNING, "job runner round failed", e));
    }

    /** Queues a job (it starts at once when a slot is free); the result names its session. */
    public synchronized JsonNode spawn(String commandId, CommandSpec.SpawnJob spec) {
        if (!Files.isDirectory(Path.of(spec.cwd()))) {
            throw new Refused("cwd: " + spec.cwd() + " does not exist on this host or is not a directory");
        }
        if (CommandSpec.SpawnJob.FULL_ACCESS.equals(spec.sandbox()) && !settings.allowFullAccess()) {
            throw new Refused("sandbox: danger-full-access is not allowed on this host "
                    + "(providers.codex.allow_full_access: false)");
        }
        if ("ask".equals(spec.approvals()) && spec.resumeThreadId() != null) {
            throw new Refused("resume_thread_id: not with approvals \"ask\" yet (a codex app-server job starts a "
                    + "new thread)");
        }
        if ("ask".equals(spec.approvals()) && asker == null) {
            throw new Refused("approvals: \"ask\" (codex app-server) is not supported by this agentd yet; "
                    + "leave it out to run codex exec");
        }
        String id = "job_" + UUID.randomUUID().toString().replace("-", "");
        Instant now = clock.instant();
        JobFiles files = JobFiles.of(jobsDir, id);
        files.create(spec.prompt());
        Job j = new Job(files, JobState.queued(id, commandId, spec.cwd(), spec.jobName(), title(spec.prompt()),
                spec.sandbox(), spec.model(), spec.resumeThreadId(), now, 0));
        if ("ask".equals(spec.approvals())) {
            j.state = j.state.asking();
        }
        j.write(sent);
        jobs.put(id, j);
        out.send(new AgentMessage.SessionsUpsert(j.session()));
        if (j.state.ask()) {
            launchAsk(j, spec.prompt());
        }
        startQueued();
        wake.release();
        return Json.mapper().createObjectNode().put("session_id", id).put("status", j.status().name());
    }

    /** SIGTERM to a running job's process group (SIGKILL after the grace period); a queued job just ends. */
    public synchronized JsonNode cancel(String sessionId) {
        Job j = jobs.get(sessionId);
        if (j == null) {
            throw new Refused("unknown job " + sessionId + " on this host");
        }
        switch (j.state.phase()) {
            case FINISHED -> throw new Refused("job " + sessionId + " has already finished ("
                    + j.state.finalStatus() + ")");
            case QUEUED -> {
                j.state = j.state.cancelling();
                finish(j, true);
            }
            case RUNNING -> {
                if (j.state.ask()) {
                    if (!j.state.cancelRequested()) {
                        j.state = j.state.cancelling();
                        j.write(sent);
                        j.appServer.cancel();
                    }
                } else if (!j.state.cancelRequested()) {
                    j.state = j.state.cancelling();
                    j.write(sent);
                    j.killAt = clock.instant().plus(settings.killGrace());
                    JobProcess.signalGroup(j.state.pid(), "TERM");
                }
            }
        }
        return Json.mapper().createObjectNode().put("session_id", sessionId).put("status", j.status().name());
    }

    /**
     * One round: forward new lines of every running job, finish the ones that ended, start queued ones.
     *
     * @return whether an exec job is running or queued (then the next round comes after {@code poll})
     */
    synchronized boolean tick() {
        Instant now = clock.instant();
        for (Job j : new ArrayList<>(jobs.values())) {
            if (j.state.phase() != JobState.Phase.RUNNING || j.state.ask()) {
                continue;
            }
            boolean ended = j.files.exitStatus() != null || !j.wrapperAlive();
            forward(j, ended ? Integer.MAX_VALUE : LINES_PER_ROUND, ended, now);
            if (ended) {
                finish(j, false);
            } else {
                if (j.state.cancelRequested() && j.killAt == null) { // a cancel a previous agentd began
                    j.killAt = now.plus(settings.killGrace());
                    JobProcess.signalGroup(j.state.pid(), "TERM");
                }
                if (j.state.cancelRequested() && !j.killed && j.killAt != null && now.isAfter(j.killAt)) {
                    JobProcess.signalGroup(j.state.pid(), "KILL");
                    j.killed = true;
                }
                j.flushIfDue(sent, now);
            }
        }
        startQueued();
        return jobs.values().stream().anyMatch(j -> !j.state.ask() && j.state.phase() != JobState.Phase.FINISHED);
    }

    private void forward(Job j, int max, boolean atEnd, Instant now) {
        String sid = j.id();
        int n = j.pump(max, atEnd, line -> out.send(new AgentMessage.EventsAppend(sid, line.eventType(),
                line.data())), now);
        if (n == -1) {
            out.send(new AgentMessage.SessionsUpsert(j.session()));
        }
    }

    private void startQueued() {
        long running = jobs.values().stream().filter(j -> j.state.phase() == JobState.Phase.RUNNING).count();
        List<Job> queued = jobs.values().stream().filter(j -> j.state.phase() == JobState.Phase.QUEUED)
                .sorted(Comparator.comparing(j -> j.state.queuedAt())).toList();
        for (Job j : queued) {
            if (running >= settings.maxJobs()) {
                return;
            }
            launch(j);
            running++;
        }
    }

    private void launch(Job j) {
        List<String> argv = CodexArgs.exec(settings.execPath(), j.state);
        Instant now = clock.instant();
        JobProcess.Started p;
        try {
            p = JobProcess.start(j.files, Path.of(j.state.cwd()), argv);
        } catch (IOException e) {
            finish(j, false, "could not start " + settings.execPath() + ": " + e.getMessage());
            return;
        }
        j.own = p.process();
        j.state = j.state.running(p.pid(), p.startMillis(), now);
        j.write(sent);
        sendStarted(j, argv);
        out.send(new AgentMessage.SessionsUpsert(j.session()));
    }

    /** Starts an {@code approvals: "ask"} job at once (it does not wait in the exec queue). */
    private void launchAsk(Job j, String prompt) {
        Instant now = clock.instant();
        List<String> argv = List.of(settings.execPath(), "app-server");
        try {
            j.appServer = AppServerJob.start(settings.execPath(), j.files, j.state, prompt, asker, listener(j));
        } catch (IOException e) {
            finish(j, false, "could not start " + settings.execPath() + " app-server: " + e.getMessage());
            return;
        }
        j.state = j.state.running(j.appServer.pid(), null, now);
        j.write(sent);
        sendStarted(j, argv);
        out.send(new AgentMessage.SessionsUpsert(j.session()));
    }

    private AppServerJob.Listener listener(Job j) {
        return new AppServerJob.Listener() {
            @Override
            public void line(CodexLine line) {
                synchronized (JobRunner.this) {
                    out.send(new AgentMessage.EventsAppend(j.id(), line.eventType(), line.data()));
                    j.state = j.state.forwarded(0, j.state.lines() + 1, j.state.seq(), j.state.threadId(),
                            j.state.usage(), j.state.turnFailed(), clock.instant());
                }
            }

            @Override
            public void changed(String threadId, dev.agentcommander.schema.Session.Usage usage, boolean waiting) {
                synchronized (JobRunner.this) {
                    j.waiting = waiting;
                    j.state = j.state.forwarded(0, j.state.lines(), j.state.seq(), threadId, usage,
                            j.state.turnFailed(), clock.instant());
                    out.send(new AgentMessage.SessionsUpsert(j.session()));
                }
            }

            @Override
            public void ended(Integer exitCode, boolean turnFailed, String error) {
                synchronized (JobRunner.this) {
                    j.waiting = false;
                    j.state = j.state.forwarded(0, j.state.lines(), j.state.seq(), j.state.threadId(),
                            j.state.usage(), j.state.turnFailed() || turnFailed || error != null, clock.instant());
                    if (exitCode != null) {
                        dev.agentcommander.agentd.outbox.StateFiles.writeAtomically(j.files.exitFile(),
                                exitCode + "\n");
                    }
                    finish(j, false, error);
                }
            }
        };
    }

    void sendStarted(Job j, List<String> argv) {
        out.send(new AgentMessage.EventsAppend(j.id(), STARTED, j.startedData(argv)));
        j.state = j.state.withStartedSent(j.state.seq());
        j.write(sent);
    }

    List<String> argv(Job j) {
        return CodexArgs.exec(settings.execPath(), j.state);
    }

    private void finish(Job j, boolean cancelledBeforeStart) {
        finish(j, cancelledBeforeStart, null);
    }

    /** Sends {@code job.exited} and the final session, records it, and removes the job's leftovers. */
    void finish(Job j, boolean cancelledBeforeStart, String startError) {
        j.closeReader();
        JobExit exit = JobExit.of(j, cancelledBeforeStart, startError, clock.instant());
        out.send(new AgentMessage.EventsAppend(j.id(), EXITED, exit.data()));
        complete(j, exit.status().name());
    }

    /** Records a job as finished with {@code status} (its {@code job.exited} is in the outbox) and cleans up. */
    void complete(Job j, String status) {
        j.state = j.state.finished(status, j.state.seq(), clock.instant());
        j.write(sent);
        out.send(new AgentMessage.SessionsUpsert(j.session()));
        j.files.clean();
        j.own = null;
    }

    private static String title(String prompt) {
        String first = prompt.strip().lines().findFirst().orElse("");
        return first.length() > 120 ? first.substring(0, 120) + "…" : first;
    }

    /** Stops forwarding (the jobs keep running; the next agentd picks them up) and records where it stopped. */
    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        synchronized (this) {
            for (Job j : jobs.values()) {
                if (j.state.phase() == JobState.Phase.RUNNING) {
                    j.write(sent);
                }
                j.closeReader();
            }
        }
    }
}
