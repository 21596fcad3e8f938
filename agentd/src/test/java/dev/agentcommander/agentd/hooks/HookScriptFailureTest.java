package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever a broken receiver answers, the script prints nothing and exits 0: a failure never approves. The
 * receivers listen on a Unix socket (the script's normal path); one answers on TCP (the opt-in path).
 */
class HookScriptFailureTest {
    @TempDir
    Path tmp;
    ServerSocketChannel listener;

    /** A receiver that reads the request head and answers {@code raw} (or just closes when raw is null). */
    String receiver(String raw) throws IOException {
        Path socket = tmp.resolve("r" + System.nanoTime() + ".sock");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        serve(raw);
        return socket.toString();
    }

    String tcpReceiver(String raw) throws IOException {
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        serve(raw);
        return "127.0.0.1:" + ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    private void serve(String raw) {
        ServerSocketChannel l = listener;
        Thread.ofVirtual().name("broken-receiver").start(() -> {
            while (l.isOpen()) {
                try (SocketChannel s = l.accept()) {
                    s.read(ByteBuffer.allocate(8192));
                    if (raw != null) {
                        ByteBuffer out = ByteBuffer.wrap(raw.getBytes(StandardCharsets.UTF_8));
                        while (out.hasRemaining()) {
                            s.write(out);
                        }
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void close() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    HookScript.Result ask(String listen) throws Exception {
        return HookScript.run(listen, "%1", HookApprovalRoundTripTest.EDIT_REQUEST);
    }

    static final String ALLOW = "{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\","
            + "\"decision\":{\"behavior\":\"allow\"}}}";

    @Test
    void connectionDroppedPrintsNothing() throws Exception {
        HookScript.Result r = ask(receiver(null));
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void errorStatusPrintsNothingEvenWithAnAllowBody() throws Exception {
        HookScript.Result r = ask(receiver("HTTP/1.1 500 Oops\r\nContent-Length: " + ALLOW.length()
                + "\r\nConnection: close\r\n\r\n" + ALLOW));
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void truncatedAnswerPrintsNothing() throws Exception {
        HookScript.Result r = ask(receiver("HTTP/1.1 200 OK\r\nContent-Length: 500\r\nConnection: close\r\n\r\n"
                + ALLOW));
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void nonJsonOrEmptyAnswerPrintsNothing() throws Exception {
        HookScript.Result r = ask(receiver("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nyes"));
        assertThat(r.stdout()).isEmpty();
        close();
        HookScript.Result empty = ask(receiver("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        assertThat(empty.exit()).isZero();
        assertThat(empty.stdout()).isEmpty();
    }

    @Test
    void nonPermissionEventsNeverPrintEvenIfTheReceiverAnswers() throws Exception {
        HookScript.Result r = HookScript.run(receiver("HTTP/1.1 200 OK\r\nContent-Length: " + ALLOW.length()
                + "\r\nConnection: close\r\n\r\n" + ALLOW), "%1",
                "{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\"}");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aTruncatedAnswerOnTheOptInTcpPathPrintsNothingEither() throws Exception {
        HookScript.Result r = ask(tcpReceiver("HTTP/1.1 200 OK\r\nContent-Length: 500\r\nConnection: close\r\n\r\n"
                + ALLOW));
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aChunkedAnswerCutBeforeItsLastChunkPrintsNothing() throws Exception {
        HookScript.Result r = ask(receiver("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
                + "\r\n1\r\n\n\r\n" + Integer.toHexString(ALLOW.length()) + "\r\n" + ALLOW + "\r\n"));
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aWellFormedAllowFromTheReceiverIsPrintedAsIs() throws Exception {
        HookScript.Result r = ask(receiver("HTTP/1.1 200 OK\r\nContent-Length: " + (ALLOW.length() + 3)
                + "\r\nConnection: close\r\n\r\n\n\n\n" + ALLOW));
        assertThat(r.stdout()).isEqualTo(ALLOW + "\n");
    }
}
