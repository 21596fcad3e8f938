package dev.agentcommander.agentd.jobs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads whole lines of a file that another process is still appending to, from a byte offset, with a fixed buffer:
 * a line is returned only when its newline has arrived (or, once the writer is gone, at the end of the file), and a
 * line longer than {@link #MAX_LINE} is cut there but still consumed whole, so memory stays flat whatever the job
 * prints.
 */
final class LineReader implements AutoCloseable {
    static final int MAX_LINE = 8 * 1024 * 1024;

    /** A line without its newline; {@code end} is the offset after it (after its newline, if it had one). */
    record Line(String text, long bytes, boolean cut, long end) {
    }

    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private long position;
    private byte[] line = new byte[4096];
    private int lineLen;
    private long lineBytes;

    LineReader(Path file, long offset) throws IOException {
        ch = FileChannel.open(file, StandardOpenOption.READ);
        position = offset;
        buf.flip();
    }

    /**
     * The next whole line, or null when none is complete yet. {@code atEnd}: the writer has finished, so what is
     * left without a newline is a line too.
     */
    Line next(boolean atEnd) throws IOException {
        while (true) {
            while (buf.hasRemaining()) {
                byte b = buf.get();
                position++;
                if (b == '\n') {
                    return take(position);
                }
                lineBytes++;
                if (lineLen < MAX_LINE) {
                    if (lineLen == line.length) {
                        line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
                    }
                    line[lineLen++] = b;
                }
            }
            buf.clear();
            int n = ch.read(buf, position);
            buf.flip();
            if (n <= 0) {
                if (atEnd && lineBytes > 0) {
                    return take(position);
                }
                // not complete yet: give the partial line back to the file, to be read again whole
                position -= lineBytes;
                lineLen = 0;
                lineBytes = 0;
                return null;
            }
        }
    }

    private Line take(long end) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        String text;
        try {
            text = dec.decode(ByteBuffer.wrap(line, 0, lineLen)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            text = new String(line, 0, lineLen, StandardCharsets.UTF_8);
        }
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        Line l = new Line(text, lineBytes, lineBytes > lineLen, end);
        lineLen = 0;
        lineBytes = 0;
        if (line.length > 1 << 20) {
            line = new byte[4096]; // one huge line does not keep its buffer
        }
        return l;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
