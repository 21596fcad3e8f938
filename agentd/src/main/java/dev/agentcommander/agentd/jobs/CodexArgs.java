package dev.agentcommander.agentd.jobs;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a Codex job, in Codex 0.169.0's argument order. The prompt is never here: {@code -} makes
 * Codex read it from stdin, so a prompt may start with {@code -} or hold anything a shell would act on.
 */
final class CodexArgs {
    private CodexArgs() {
    }

    /**
     * {@code exec --json --sandbox S -C cwd [--model M] -}, or for a resume
     * {@code exec --json -C cwd -s S [--model M] resume <thread> -} (resume takes its options before the id).
     */
    static List<String> exec(String execPath, JobState s) {
        List<String> a = new ArrayList<>(List.of(execPath, "exec", "--json"));
        if (s.resumeThreadId() == null) {
            a.addAll(List.of("--sandbox", s.sandbox(), "-C", s.cwd()));
        } else {
            a.addAll(List.of("-C", s.cwd(), "-s", s.sandbox()));
        }
        if (s.model() != null) {
            a.addAll(List.of("--model", s.model()));
        }
        if (s.resumeThreadId() != null) {
            a.addAll(List.of("resume", s.resumeThreadId()));
        }
        a.add("-");
        return a;
    }
}
