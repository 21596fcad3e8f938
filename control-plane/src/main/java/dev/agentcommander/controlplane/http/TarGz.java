package dev.agentcommander.controlplane.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip-compressed POSIX ustar archive of regular files, which every {@code tar} reads (GNU, BSD, busybox). The
 * archive holds a few dozen files with short names, so the smallest correct writer is a page of code rather than
 * a compression library: directories are implied by the names, owners are left out (whoever unpacks owns the files),
 * modes are 0755 for programs and 0644 for the rest.
 */
final class TarGz {
    private static final int BLOCK = 512;

    private TarGz() {
    }

    /** Writes every entry under {@code prefix/} to {@code out} and finishes the gzip stream (not {@code out}). */
    static void write(OutputStream out, String prefix, List<AgentdDist.Entry> entries, long mtimeSeconds)
            throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024);
        byte[] buf = new byte[64 * 1024];
        for (AgentdDist.Entry e : entries) {
            long size = Files.size(e.file());
            gz.write(header(prefix + "/" + e.name(), e.executable() ? 0755 : 0644, size, mtimeSeconds));
            long copied = 0;
            try (InputStream in = Files.newInputStream(e.file())) {
                int n;
                while (copied < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - copied))) > 0) {
                    gz.write(buf, 0, n);
                    copied += n;
                }
            }
            if (copied != size) {
                throw new IOException(e.file() + " changed while it was archived");
            }
            int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
            gz.write(new byte[pad]);
        }
        gz.write(new byte[2 * BLOCK]); // end of archive
        gz.finish();
    }

    static byte[] header(String path, int mode, long size, long mtime) {
        byte[] h = new byte[BLOCK];
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        int split = 0;
        if (name.length > 100) { // ustar: the part before a '/' goes into the 155-byte prefix field
            split = path.lastIndexOf('/', 155);
            if (split <= 0 || name.length - split - 1 > 100 || !isAscii(path)) {
                throw new IllegalArgumentException("name too long for a tar header: " + path);
            }
            System.arraycopy(name, 0, h, 345, split);
            split++;
        }
        System.arraycopy(name, split, h, 0, name.length - split);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0); // uid
        octal(h, 116, 8, 0); // gid
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = '0'; // a regular file
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) {
            h[i] = ' '; // the checksum is computed with its own field as spaces
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    /** {@code value} as zero-padded octal digits in {@code len - 1} bytes, then NUL. */
    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value too large for a tar header field: " + value);
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }
}
