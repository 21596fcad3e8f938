package dev.agentcommander.agentd.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentcommander.agentd.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentd's WebSocket client against a server written byte by byte, for what a friendly server never sends: the
 * RFC 6455 rules the client must keep (masking, fragments, pings, close codes, size limit) and the ones it must
 * enforce on the server (unmasked frames, no RSV bits, valid UTF-8, a correct accept key).
 */
class WsClientProtocolTest {
    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> closes = new LinkedBlockingQueue<>();
    private final Transport.Listener listener = new Transport.Listener() {
        @Override
        public void onText(String text) {
            texts.add(text);
        }

        @Override
        public void onClosed(int code, String reason) {
            closes.add(code + " " + reason);
        }
    };
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private Socket peer;

    @AfterEach
    void stop() throws IOException {
        if (peer != null) {
            peer.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Accepts one connection, answers the upgrade with {@code answer(key)}, returns the server's socket. */
    private Transport.Connection connect(SocketTransport client, Function<String, String> answer) throws Exception {
        server = new ServerSocket(0);
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                peer = server.accept();
                String head = readHead(peer.getInputStream());
                String key = head.lines().filter(l -> l.startsWith("Sec-WebSocket-Key: ")).findFirst()
                        .orElseThrow().substring(19);
                requests.add(head);
                peer.getOutputStream().write(answer.apply(key).getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            return client.connect(URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/v1/agent?x=1"), "tok",
                    listener);
        } finally {
            t.join();
        }
    }

    private static String upgraded(String key) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + SocketTransport.expectedAccept(key) + "\r\n\r\n";
    }

    private Transport.Connection open(int maxMessage) throws Exception {
        return connect(new SocketTransport(maxMessage), WsClientProtocolTest::upgraded);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("eof");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** A server frame: never masked. */
    private void serverFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            f.write(payload.length);
        } else {
            f.write(126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        }
        f.write(payload);
        peer.getOutputStream().write(f.toByteArray());
        peer.getOutputStream().flush();
    }

    private record ClientFrame(int b0, boolean masked, byte[] key, byte[] payload) {
        int opcode() {
            return b0 & 0x0F;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    private ClientFrame clientFrame() throws IOException {
        peer.setSoTimeout(10_000);
        DataInputStream in = new DataInputStream(peer.getInputStream());
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] key = new byte[4];
        if ((b1 & 0x80) != 0) {
            in.readFully(key);
        }
        byte[] p = new byte[(int) len];
        in.readFully(p);
        for (int i = 0; i < p.length; i++) {
            p[i] ^= key[i & 3];
        }
        return new ClientFrame(b0, (b1 & 0x80) != 0, key, p);
    }

    @Test
    void theUpgradeCarriesTheTokenThePathAndAFreshKey() throws Exception {
        open(1000);
        String head = requests.get(0);
        assertThat(head).startsWith("GET /v1/agent?x=1 HTTP/1.1\r\n").contains("Authorization: Bearer tok\r\n")
                .contains("Upgrade: websocket\r\n").contains("Sec-WebSocket-Version: 13\r\n")
                .contains("Host: 127.0.0.1:" + server.getLocalPort() + "\r\n");
    }

    @Test
    void everyClientFrameIsMaskedWithItsOwnKey() throws Exception {
        Transport.Connection c = open(1000);
        String big = "x".repeat(70_000); // the 64-bit length form
        c.send("hello");
        c.send(big);
        ClientFrame a = clientFrame();
        ClientFrame b = clientFrame();
        assertThat(a.masked()).isTrue();
        assertThat(b.masked()).isTrue();
        assertThat(a.b0()).isEqualTo(0x81); // FIN + text
        assertThat(a.text()).isEqualTo("hello");
        assertThat(b.text()).isEqualTo(big);
        assertThat(a.key()).isNotEqualTo(b.key());
    }

    @Test
    void fragmentedTextIsReassembledAndAPingBetweenFragmentsIsAnswered() throws Exception {
        open(1000);
        serverFrame(false, WsFrames.TEXT, "hel".getBytes(StandardCharsets.UTF_8));
        serverFrame(true, WsFrames.PING, "p1".getBytes(StandardCharsets.UTF_8));
        serverFrame(false, WsFrames.CONTINUATION, "lo ".getBytes(StandardCharsets.UTF_8));
        serverFrame(true, WsFrames.CONTINUATION, "wörld".getBytes(StandardCharsets.UTF_8));
        ClientFrame pong = clientFrame();
        assertThat(pong.opcode()).isEqualTo(WsFrames.PONG);
        assertThat(pong.masked()).isTrue();
        assertThat(pong.text()).isEqualTo("p1");
        Await.until("message delivered", Duration.ofSeconds(5), () -> !texts.isEmpty());
        assertThat(texts).containsExactly("hello wörld");
    }

    @Test
    void theServersCloseCodeAndReasonReachTheListenerAndAreEchoed() throws Exception {
        open(1000);
        byte[] close = WsFrames.closePayload(4001, "unauthorized: bad host token");
        serverFrame(true, WsFrames.CLOSE, close);
        ClientFrame echo = clientFrame();
        assertThat(echo.opcode()).isEqualTo(WsFrames.CLOSE);
        assertThat(echo.closeCode()).isEqualTo(4001);
        assertThat(closes.poll(5, TimeUnit.SECONDS)).isEqualTo("4001 unauthorized: bad host token");
    }

    @Test
    void aMessageOverTheLimitIsDroppedAndTheNextOneStillArrives() throws Exception {
        open(1000);
        serverFrame(false, WsFrames.TEXT, new byte[800]);
        serverFrame(true, WsFrames.CONTINUATION, new byte[800]); // 1600 > 1000: the whole message goes
        serverFrame(true, WsFrames.TEXT, "ok".getBytes(StandardCharsets.UTF_8));
        Await.until("small message delivered", Duration.ofSeconds(5), () -> !texts.isEmpty());
        assertThat(texts).containsExactly("ok");
        assertThat(closes).isEmpty();
    }

    @Test
    void aMaskedFrameFromTheServerFailsTheConnectionWith1002() throws Exception {
        open(1000);
        peer.getOutputStream().write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2});
        ClientFrame close = clientFrame();
        assertThat(close.opcode()).isEqualTo(WsFrames.CLOSE);
        assertThat(close.closeCode()).isEqualTo(1002);
        assertThat(closes.poll(5, TimeUnit.SECONDS)).startsWith("-1 ").contains("masked");
        assertThat(texts).isEmpty();
    }

    @Test
    void reservedBitsAReservedOpcodeAndABadCloseCodeEachFailTheConnection() throws Exception {
        for (byte[] bad : List.of(new byte[] {(byte) 0xC1, 0}, new byte[] {(byte) 0x83, 0},
                new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xED})) { // RSV1; opcode 3; close code 1005 on the wire
            closes.clear();
            open(1000);
            peer.getOutputStream().write(bad);
            assertThat(clientFrame().closeCode()).as(Arrays.toString(bad)).isEqualTo(1002);
            assertThat(closes.poll(5, TimeUnit.SECONDS)).as(Arrays.toString(bad)).startsWith("-1 ");
            stop();
        }
    }

    @Test
    void textThatIsNotUtf8FailsWith1007AndABinaryMessageWith1003() throws Exception {
        open(1000);
        serverFrame(true, WsFrames.TEXT, new byte[] {(byte) 0xC3, 0x28});
        assertThat(clientFrame().closeCode()).isEqualTo(1007);
        assertThat(closes.poll(5, TimeUnit.SECONDS)).startsWith("-1 ");
        stop();
        open(1000);
        serverFrame(true, WsFrames.BINARY, new byte[] {1});
        assertThat(clientFrame().closeCode()).isEqualTo(1003);
        assertThat(texts).isEmpty();
    }

    @Test
    void aControlFrameOver125BytesOrFragmentedIsRefused() throws Exception {
        open(1000);
        serverFrame(false, WsFrames.PING, new byte[] {1});
        assertThat(clientFrame().closeCode()).isEqualTo(1002);
        stop();
        open(1000);
        peer.getOutputStream().write(new byte[] {(byte) 0x89, 126, 0, (byte) 200});
        assertThat(clientFrame().closeCode()).isEqualTo(1002);
    }

    @Test
    void theConnectionEndingWithoutACloseFrameIsReportedOnce() throws Exception {
        open(1000);
        peer.close();
        assertThat(closes.poll(5, TimeUnit.SECONDS)).startsWith("-1 ");
        assertThat(closes.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aWrongAcceptKeyOrNoUpgradeFailsTheHandshake() {
        assertThatThrownBy(() -> connect(new SocketTransport(1000), key -> upgraded("AAAAAAAAAAAAAAAAAAAAAA==")))
                .isInstanceOf(IOException.class).hasMessageContaining("Sec-WebSocket-Accept");
        assertThatThrownBy(() -> connect(new SocketTransport(1000),
                key -> "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("HTTP 200");
    }

    @Test
    void http401Or403AtTheUpgradeIsUnauthorized() {
        for (int code : new int[] {401, 403}) {
            assertThatThrownBy(() -> connect(new SocketTransport(1000),
                    key -> "HTTP/1.1 " + code + " No\r\nContent-Length: 0\r\n\r\n"))
                    .isInstanceOf(Transport.Unauthorized.class).hasMessage("unauthorized: HTTP " + code);
        }
    }

    @Test
    void aSendTheServerNeverReadsFailsAfterTheTimeout() throws Exception {
        Transport.Connection c = connect(new SocketTransport(1000, Duration.ofMillis(500)),
                WsClientProtocolTest::upgraded);
        String chunk = "y".repeat(1 << 20);
        long start = System.nanoTime();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 200; i++) { // far more than any socket buffer holds
                c.send(chunk);
            }
        }).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(closes.poll(5, TimeUnit.SECONDS)).startsWith("-1 ").contains("blocked");
    }

    @Test
    void closeSendsOurCodeAndReasonThenReportsTheServersAnswer() throws Exception {
        Transport.Connection c = open(1000);
        Thread closer = Thread.ofVirtual().start(() -> c.close(1000, "bye"));
        ClientFrame close = clientFrame();
        assertThat(close.closeCode()).isEqualTo(1000);
        assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8)).isEqualTo("bye");
        serverFrame(true, WsFrames.CLOSE, WsFrames.closePayload(1000, ""));
        closer.join(Duration.ofSeconds(5));
        assertThat(closer.isAlive()).isFalse();
        assertThat(closes.poll(5, TimeUnit.SECONDS)).isEqualTo("1000 ");
    }

    @Test
    void wssSpeaksTlsAndRefusesACertificateNoTrustedAuthoritySigned(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass",
                "changeit", "-alias", "s", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2")
                .redirectErrorStream(true).start();
        keytool.getInputStream().readAllBytes();
        assertThat(keytool.waitFor()).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = ctx.getServerSocketFactory().createServerSocket(0);
        List<String> served = new CopyOnWriteArrayList<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                ((SSLSocket) s).startHandshake();
                served.add("handshake completed"); // must not happen: the client refuses the certificate
            } catch (IOException e) {
                served.add("refused: " + e.getClass().getSimpleName());
            }
        });
        assertThatThrownBy(() -> new SocketTransport(1000).connect(URI.create("wss://localhost:"
                + server.getLocalPort() + "/v1/agent"), "tok", listener))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("is not signed by an authority agentd trusts")
                .hasMessageContaining("set control_plane.ca_file");
        t.join(Duration.ofSeconds(10));
        assertThat(served).hasSize(1).allMatch(x -> x.startsWith("refused"));
        assertThat(closes).isEmpty();
    }
}
