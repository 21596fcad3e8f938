package dev.agentcommander.e2e;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One process of {@link RelayChainBench}'s chain, doing nothing but passing lines on: {@code tmux SOCKET SESSION
 * PORT} reads a tmux control-mode client and writes its {@code %output} lines to localhost:PORT; {@code relay PORT}
 * connects to localhost:PORT, prints {@code relay ready LISTEN_PORT}, and writes every line it is sent there. One
 * platform thread each, a flush per line: no queue, no encoding, no hand-off.
 */
public final class RelayHop {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("tmux")) {
            Process control = new ProcessBuilder("tmux", "-S", args[1], "-C", "attach", "-t", args[2])
                    .redirectErrorStream(true).start();
            try (Socket out = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[3]));
                 BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(),
                         StandardCharsets.UTF_8))) {
                out.setTcpNoDelay(true);
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out.getOutputStream(),
                        StandardCharsets.UTF_8));
                System.out.println("tmux hop ready");
                System.out.flush();
                pass(in, w, true);
            } finally {
                control.destroy();
            }
            return;
        }
        try (Socket out = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
             ServerSocket listen = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            out.setTcpNoDelay(true);
            System.out.println("relay ready " + listen.getLocalPort());
            System.out.flush();
            try (Socket in = listen.accept()) {
                pass(new BufferedReader(new InputStreamReader(in.getInputStream(), StandardCharsets.UTF_8)),
                        new BufferedWriter(new OutputStreamWriter(out.getOutputStream(), StandardCharsets.UTF_8)),
                        false);
            }
        }
    }

    private static void pass(BufferedReader in, BufferedWriter out, boolean outputOnly) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (!outputOnly || line.startsWith("%output ")) {
                out.write(line);
                out.write('\n');
                out.flush();
            }
        }
    }
}
