package dev.agentcommander.agentd.console;

import dev.agentcommander.agentd.outbox.Outbound;
import dev.agentcommander.agentd.testkit.FakeSessions;
import dev.agentcommander.agentd.testkit.PrivateTmux;
import dev.agentcommander.agentd.tmux.ControlClient;
import dev.agentcommander.agentd.tmux.Tmux;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Provider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Output latency of the ways agentd can watch a pane, measured on the same panes at the same time: each pane
 * runs a bash loop printing {@code MK<$EPOCHREALTIME>;} (a builtin, no fork between the timestamp and the
 * write); each way records wall-clock arrival minus that stamp.
 * <ul>
 *   <li>{@code pipe-pane+tail Nms}: {@code pipe-pane -O 'cat >> file'} and a tailer polling the file;</li>
 *   <li>{@code control raw}: a bare tmux control-mode client (the floor);</li>
 *   <li>{@code ControlModeConsole}: the implementation, up to the moment a chunk is handed to {@link Outbound}.</li>
 * </ul>
 * Run: {@code java -cp agentd/target/classes:agentd/target/test-classes:<deps> dev.agentcommander.agentd.console.ConsoleBench
 * [panes] [seconds] [interval_ms] [nopipe|pipe] [flood]} (see docs/console.md for a one-liner).
 */
public final class ConsoleBench {
    private static final Pattern MARK = Pattern.compile("MK(\\d+)\\.(\\d{6});");

    /** Finds markers in a byte stream that may split them across reads. */
    static final class Scanner {
        private final List<Long> latenciesMicros;
        private String carry = "";

        Scanner(List<Long> sink) {
            this.latenciesMicros = sink;
        }

        void feed(byte[] b, int off, int len) {
            Instant now = Instant.now();
            long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
            String s = carry + new String(b, off, len, StandardCharsets.ISO_8859_1);
            Matcher m = MARK.matcher(s);
            int end = 0;
            while (m.find()) {
                long stamp = Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
                synchronized (latenciesMicros) {
                    latenciesMicros.add(nowMicros - stamp);
                }
                end = m.end();
            }
            String rest = s.substring(end);
            carry = rest.length() > 64 ? rest.substring(rest.length() - 64) : rest;
        }
    }

    public static void main(String[] args) throws Exception {
        int paneCount = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int intervalMs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        boolean withPipe = args.length <= 3 || !args[3].equals("nopipe");
        boolean flood = args.length > 4 && args[4].equals("flood");
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(base);
        Path dir = Files.createTempDirectory(base, "console-bench");
        FakeSessions sessions = new FakeSessions();
        Map<String, List<Long>> results = new HashMap<>();
        for (String k : List.of("pipe-pane+tail 1ms", "pipe-pane+tail 10ms", "control raw", "ControlModeConsole")) {
            results.put(k, new ArrayList<>());
        }
        try (PrivateTmux panes = PrivateTmux.start(dir, 120, 40, "env", "PS1=$ ", "bash", "--norc", "--noprofile")) {
            Tmux tmux = panes.tmux();
            List<String> paneIds = new ArrayList<>();
            for (int i = 0; i < paneCount; i++) {
                String p = i == 0 ? panes.firstPane() : panes.window("bash", "--norc", "--noprofile");
                paneIds.add(p);
                sessions.register(p, Provider.SHELL);
            }
            // the floor: one bare control client
            Map<String, Scanner> raw = new HashMap<>();
            for (String p : paneIds) {
                raw.put(p, new Scanner(results.get("control raw")));
            }
            ControlClient rawClient = new ControlClient(tmux, "main", new ControlClient.Listener() {
                public void onOutput(String paneId, byte[] data, int len) {
                    Scanner s = raw.get(paneId);
                    if (s != null) {
                        s.feed(data, 0, len);
                    }
                }

                public void onExit(ControlClient c) {
                }
            });
            // the implementation
            Map<String, Scanner> viaConsole = new HashMap<>();
            int[] chunks = {0};
            Outbound outbound = m -> {
                if (m instanceof AgentMessage.ConsoleChunk c) {
                    byte[] b = Base64.getDecoder().decode(c.data());
                    viaConsole.get(c.sessionId()).feed(b, 0, b.length);
                    chunks[0]++;
                }
                return 0;
            };
            ControlModeConsole console = new ControlModeConsole(tmux, sessions, outbound, ConsoleConfig.DEFAULTS);
            // pipe-pane: the pane's one pipe slot, into a file, tailed at two poll rates
            List<Thread> tailers = new ArrayList<>();
            boolean[] stop = {false};
            for (String p : paneIds) {
                String sid = "s-" + p.substring(1);
                viaConsole.put(sid, new Scanner(results.get("ControlModeConsole")));
                console.subscribe(sid, "bench");
                if (!withPipe) {
                    continue;
                }
                Path file = dir.resolve("pipe-" + p.substring(1));
                Files.createFile(file);
                tmux.run("pipe-pane", "-O", "-t", p, "cat >> " + file);
                for (int poll : new int[] {1, 10}) {
                    Scanner sc = new Scanner(results.get("pipe-pane+tail " + poll + "ms"));
                    tailers.add(Thread.ofVirtual().name("bench-tail-" + p + "-" + poll)
                            .start(() -> tail(file, poll, sc, stop)));
                }
            }
            if (flood) {
                // a sibling pane in the same tmux session (so the same control client) printing flat out
                String f = panes.window("bash", "-c", "sleep 0.7; timeout " + seconds + " yes 'flood flood flood'");
                console.subscribe(sessions.register(f, Provider.SHELL), "bench");
                viaConsole.put("s-" + f.substring(1), new Scanner(new ArrayList<>()));
            }
            Thread.sleep(500);
            for (String p : paneIds) {
                // read -t on a pipe nobody writes is a fork-free sleep: the generator itself stays cheap
                String loop = "exec 3<> <(:); for i in $(seq 1 " + (seconds * 1000 / intervalMs) + "); do "
                        + "printf 'MK%s;\\n' \"$EPOCHREALTIME\"; read -t " + (intervalMs / 1000.0) + " -u 3; done";
                tmux.run("send-keys", "-t", p, "-l", loop);
                tmux.run("send-keys", "-t", p, "Enter");
            }
            Thread.sleep(seconds * 1000L + 1500);
            stop[0] = true;
            for (Thread t : tailers) {
                t.join();
            }
            console.close();
            rawClient.close();
            System.out.printf("panes=%d flood=%s seconds=%d interval=%dms chunks via console=%d cpus=%d java=%s%n",
                    paneCount, flood, seconds, intervalMs, chunks[0], Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            System.out.println("| way | markers | p50 ms | p99 ms | max ms |");
            System.out.println("|---|---|---|---|---|");
            for (String k : List.of("control raw", "ControlModeConsole", "pipe-pane+tail 1ms", "pipe-pane+tail 10ms")) {
                List<Long> l = results.get(k);
                Collections.sort(l);
                System.out.printf("| %s | %d | %.2f | %.2f | %.2f |%n", k, l.size(), pct(l, 50), pct(l, 99),
                        l.isEmpty() ? 0.0 : l.getLast() / 1000.0);
            }
        }
    }

    private static void tail(Path file, int pollMs, Scanner sc, boolean[] stop) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (!stop[0]) {
                buf.clear();
                int n = ch.read(buf);
                if (n > 0) {
                    sc.feed(buf.array(), 0, n);
                } else {
                    Thread.sleep(Duration.ofMillis(pollMs));
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    private static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i)) / 1000.0;
    }
}
