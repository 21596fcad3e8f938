package dev.agentcommander.agentd.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A job's stderr as {@code job.exited} carries it: the first {@link #HEAD} and the last {@link #TAIL} lines (none
 * in both), each cut to {@link #LINE_CHARS} characters, and how many lines there were. Read once at the end from
 * the stderr file, in one pass with bounded memory.
 */
record StderrSummary(List<String> head, List<String> tail, long lines) {
    static final int HEAD = 20;
    static final int TAIL = 50;
    static final int LINE_CHARS = 2000;

    static StderrSummary read(Path file) {
        List<String> head = new ArrayList<>();
        Deque<String> tail = new ArrayDeque<>();
        long count = 0;
        try (LineReader r = new LineReader(file, 0)) {
            LineReader.Line l;
            while ((l = r.next(true)) != null) {
                String t = l.text().replace("\0", "");
                t = t.length() > LINE_CHARS ? t.substring(0, LINE_CHARS) + "…" : t;
                count++;
                if (head.size() < HEAD) {
                    head.add(t);
                } else {
                    tail.addLast(t);
                    if (tail.size() > TAIL) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            head.add("(stderr unreadable: " + e.getMessage() + ")");
        }
        return new StderrSummary(List.copyOf(head), List.copyOf(tail), count);
    }
}
