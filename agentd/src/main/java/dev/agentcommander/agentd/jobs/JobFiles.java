package dev.agentcommander.agentd.jobs;

import dev.agentcommander.agentd.outbox.PrivateFiles;
import dev.agentcommander.agentd.outbox.StateFiles;
import dev.agentcommander.schema.Ids;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One job's directory, {@code state_dir/jobs/<session_id>/} (0700): {@code state.json}, {@code prompt} (the job's
 * stdin), {@code stdout} and {@code stderr} (written by the job itself, so it needs no agentd to keep running),
 * {@code pid} and {@code exit} (written by the job's wrapper shell). Everything but {@code state.json} is removed
 * once the job is finished and reported.
 */
record JobFiles(Path dir) {
    static final String STATE = "state.json";

    static JobFiles of(Path jobsDir, String sessionId) {
        if (!Ids.isOpaque(sessionId)) {
            throw new IllegalArgumentException("not a session id: " + sessionId);
        }
        return new JobFiles(jobsDir.resolve(sessionId));
    }

    /** Every job directory under {@code jobsDir} holding a state file, oldest name first. */
    static List<JobFiles> all(Path jobsDir) {
        List<JobFiles> out = new ArrayList<>();
        if (!Files.isDirectory(jobsDir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(jobsDir)) {
            s.filter(p -> Files.isRegularFile(p.resolve(STATE))).sorted().forEach(p -> out.add(new JobFiles(p)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jobsDir, e);
        }
        return out;
    }

    void create(String prompt) {
        try {
            Files.createDirectories(dir);
            PrivateFiles.makePrivate(dir);
            StateFiles.writeAtomically(prompt(), prompt);
            for (Path p : List.of(stdout(), stderr())) {
                Files.deleteIfExists(p);
                Files.createFile(p);
                PrivateFiles.makePrivate(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create job directory " + dir, e);
        }
    }

    Path prompt() {
        return dir.resolve("prompt");
    }

    Path stdout() {
        return dir.resolve("stdout");
    }

    Path stderr() {
        return dir.resolve("stderr");
    }

    Path pidFile() {
        return dir.resolve("pid");
    }

    Path exitFile() {
        return dir.resolve("exit");
    }

    JobState read() {
        try {
            return Json.mapper().readValue(Files.readString(dir.resolve(STATE), StandardCharsets.UTF_8),
                    JobState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(STATE), e);
        }
    }

    void write(JobState s) {
        try {
            StateFiles.writeAtomically(dir.resolve(STATE), Json.mapper().writeValueAsString(s));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(STATE), e);
        }
    }

    /** The wrapper's exit status line ({@code $?} of the job), or null while it has not written one. */
    Integer exitStatus() {
        if (!Files.exists(exitFile())) { // asked every poll while the job runs: no exception for the usual case
            return null;
        }
        try {
            String t = Files.readString(exitFile(), StandardCharsets.UTF_8).trim();
            return t.isEmpty() ? null : Integer.valueOf(t);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    Long wrapperPid() {
        try {
            return Long.valueOf(Files.readString(pidFile(), StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Removes what a finished job no longer needs (its output is in the control plane by now). */
    void clean() {
        for (Path p : List.of(prompt(), stdout(), stderr(), pidFile(), exitFile())) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover file is harmless; the next start's cleanup tries again
            }
        }
    }

    boolean cleaned() {
        return !Files.exists(stdout());
    }
}
