package dev.agentcommander.agentd.link;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * RFC 6455 framing for the client side of the link, and nothing else: what {@link SocketTransport} writes (every
 * frame masked with a fresh key from a {@link SecureRandom}, as §5.3 requires of a client) and what it accepts (no
 * extensions, so RSV bits are an error; server frames unmasked; control frames short and unfragmented). Kept apart
 * from the socket so the rules can be tested byte for byte.
 */
final class WsFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** §5.5: a control frame's payload is at most 125 bytes. */
    static final int MAX_CONTROL_PAYLOAD = 125;

    private WsFrames() {
    }

    /** A frame header as read: the payload follows on the stream, {@code length} bytes. */
    record Header(boolean fin, int opcode, long length) {
        boolean control() {
            return (opcode & 0x8) != 0;
        }
    }

    /** The peer broke the protocol (§7.4.1 code 1002, or 1007 for text that is not UTF-8). */
    static final class ProtocolError extends IOException {
        final int code;

        ProtocolError(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** Reads one frame header from the server. @throws EOFException at the end of the stream */
    static Header readHeader(InputStream in) throws IOException {
        int b0 = readByte(in);
        int b1 = readByte(in);
        if ((b0 & 0x70) != 0) {
            throw new ProtocolError(1002, "RSV bits set without an extension");
        }
        if ((b1 & 0x80) != 0) {
            throw new ProtocolError(1002, "masked frame from the server");
        }
        int opcode = b0 & 0x0F;
        boolean fin = (b0 & 0x80) != 0;
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (readByte(in) << 8) | readByte(in);
            if (length < 126) {
                throw new ProtocolError(1002, "length not in its shortest form");
            }
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte(in);
            }
            if (length < 0) {
                throw new ProtocolError(1002, "64-bit length with its top bit set");
            }
            if (length <= 0xFFFF) {
                throw new ProtocolError(1002, "length not in its shortest form");
            }
        }
        Header h = new Header(fin, opcode, length);
        switch (opcode) {
            case CONTINUATION, TEXT, BINARY -> { }
            case CLOSE, PING, PONG -> {
                if (!fin || length > MAX_CONTROL_PAYLOAD) {
                    throw new ProtocolError(1002, "control frame fragmented or longer than 125 bytes");
                }
            }
            default -> throw new ProtocolError(1002, "reserved opcode " + opcode);
        }
        return h;
    }

    static byte[] readPayload(InputStream in, int length) throws IOException {
        byte[] b = in.readNBytes(length);
        if (b.length != length) {
            throw new EOFException("connection closed inside a frame");
        }
        return b;
    }

    /** Reads and drops {@code length} bytes (a message past the size limit). */
    static void skip(InputStream in, long length) throws IOException {
        while (length > 0) {
            long n = in.skip(length);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed inside a frame");
                }
                n = 1;
            }
            length -= n;
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }

    /** Writes one whole masked frame (FIN set) in a single write: header, key, masked payload. */
    static void write(OutputStream out, int opcode, byte[] payload, SecureRandom random) throws IOException {
        int n = payload.length;
        int header = 2 + (n < 126 ? 0 : n <= 0xFFFF ? 2 : 8) + 4;
        byte[] frame = new byte[header + n];
        frame[0] = (byte) (0x80 | opcode);
        int at = 2;
        if (n < 126) {
            frame[1] = (byte) (0x80 | n);
        } else if (n <= 0xFFFF) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
            at = 4;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) (i < 4 ? 0 : n >>> (8 * (7 - i)));
            }
            at = 10;
        }
        byte[] key = new byte[4];
        random.nextBytes(key);
        System.arraycopy(key, 0, frame, at, 4);
        at += 4;
        for (int i = 0; i < n; i++) {
            frame[at + i] = (byte) (payload[i] ^ key[i & 3]);
        }
        out.write(frame);
        out.flush();
    }

    /** A close frame's payload: the code, then the reason cut to fit 125 bytes without splitting a character. */
    static byte[] closePayload(int code, String reason) {
        byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(r.length, MAX_CONTROL_PAYLOAD - 2);
        while (len > 0 && len < r.length && (r[len] & 0xC0) == 0x80) {
            len--; // do not end inside a UTF-8 sequence
        }
        byte[] p = new byte[2 + len];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, len);
        return p;
    }

    /** Strict UTF-8 (§8.1: a text message that is not is a 1007 failure). */
    static String utf8(byte[] bytes, int length) throws ProtocolError {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolError(1007, "text that is not UTF-8");
        }
    }

    /** §7.4: the codes a peer may send in a close frame. */
    static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
