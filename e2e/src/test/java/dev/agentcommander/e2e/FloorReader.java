package dev.agentcommander.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The console bench's floor, in a process of its own so that it shares nothing with the client it is compared
 * with (no JVM, no GC, no threads): a plain tmux control-mode client reading the same panes. Args: tmux socket,
 * tmux session, seconds, output file. Writes one line per marker:
 * {@code pane n latency_ms ms_since_start printed_epoch_us}, then {@code pane seen gaps} per pane after a {@code #}
 * line.
 */
public final class FloorReader {
    /** One marker as the floor saw it: which pane, its number, its latency, when it was printed (epoch µs). */
    record Sample(String pane, int n, double latencyMs, double printedMicros) {
    }

    /** The markers of a file this reader wrote (the lines before its {@code #}). */
    static List<Sample> samples(Path file) throws IOException {
        List<Sample> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.equals("#")) {
                break;
            }
            String[] f = line.split(" "); // pane n latency_ms ms_since_start printed_epoch_us
            out.add(new Sample(f[0], Integer.parseInt(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[4])));
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        Process control = new ProcessBuilder("tmux", "-S", args[0], "-C", "attach", "-t", args[1])
                .redirectErrorStream(true).start();
        long seconds = Long.parseLong(args[2]);
        Path outFile = Path.of(args[3]);
        long t0 = System.nanoTime();
        StringBuilder samples = new StringBuilder();
        Map<String, MarkerClock> clocks = new HashMap<>();
        Thread reader = Thread.ofPlatform().name("floor-reader").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(control.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("%output ")) {
                        int sp = line.indexOf(' ', 8);
                        String pane = line.substring(8, sp);
                        // control mode escapes \r and \n as \015 and \012, which one %output line may split
                        clocks.computeIfAbsent(pane, k -> new MarkerClock((n, t, ms) -> samples.append(k).append(' ')
                                .append(n).append(' ').append(ms).append(' ')
                                .append((System.nanoTime() - t0) / 1_000_000).append(' ').append((long) t)
                                .append('\n')))
                                .feed(line.substring(sp + 1).replace("\\015", "").replace("\\012", "\n"));
                    }
                }
            } catch (Exception ignored) {
                // the client is killed at the end of the run
            }
        });
        System.out.println("floor ready");
        System.out.flush();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        control.destroy();
        control.waitFor(5, TimeUnit.SECONDS);
        reader.join(5000);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(outFile))) {
            w.print(samples);
            w.println("#");
            clocks.forEach((pane, c) -> w.println(pane + " " + c.seenCount() + " " + c.gaps()));
        }
        System.out.println("floor done");
    }
}
