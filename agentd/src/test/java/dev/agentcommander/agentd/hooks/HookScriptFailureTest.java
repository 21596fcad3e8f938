package dev.agentcommander.agentd.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whatever a broken receiver answers, the script prints nothing and exits 0: a failure never approves. */
class HookScriptFailureTest {
    ServerSocket listener;

    /** A receiver that reads the request head and answers {@code raw} (or just closes when raw is null). */
    String receiver(String raw) throws IOException {
        listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("broken-receiver").start(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[8192];
                    in.read(buf);
                    if (raw != null) {
                        OutputStream out = s.getOutputStream();
                        out.write(raw.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        return "127.0.0.1:" + listener.getLocalPort();
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
    void aWellFormedAllowFromTheReceiverIsPrintedAsIs() throws Exception {
        HookScript.Result r = ask(receiver("HTTP/1.1 200 OK\r\nContent-Length: " + (ALLOW.length() + 3)
                + "\r\nConnection: close\r\n\r\n\n\n\n" + ALLOW));
        assertThat(r.stdout()).isEqualTo(ALLOW + "\n");
    }
}
