package dev.agentcommander.controlplane.http;

import dev.agentcommander.controlplane.auth.WebOrigin;
import dev.agentcommander.controlplane.errors.ApiError;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Pattern;

/**
 * What a dev box fetches before it has any credential: {@code GET /install.sh} (the install script, with this
 * control plane's URL written in) and {@code GET /downloads/agentd.tar.gz} (agentd's distribution, see
 * {@link AgentdDist}). Neither holds a secret, so neither asks for one; the enrollment code is what authorises a
 * box, and the script takes it only as an argument.
 */
final class Downloads {
    static final String INSTALL_SCRIPT = "install.sh";
    private static final String URL_MARK = "@CONTROL_PLANE_URL@";
    /** A Host header this server will write into a script: a name or an IP literal and a port, nothing else. */
    private static final Pattern HOST = Pattern.compile(
            "[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}](:[0-9]{1,5})?");
    /** What may stand between the script's single quotes: URL characters without a quote or a shell expansion. */
    private static final Pattern SAFE_URL = Pattern.compile("https?://[A-Za-z0-9.:\\[\\]/_~-]+");

    private final WebOrigin origin;
    private final Path codeSource;
    private final Clock clock;
    private final byte[] template;
    private final Object building = new Object();
    private volatile Archive cached;

    private record Archive(String fingerprint, byte[] bytes) {
    }

    Downloads(WebOrigin origin, Path codeSource, Clock clock) {
        this.origin = origin;
        this.codeSource = codeSource;
        this.clock = clock;
        this.template = resource(INSTALL_SCRIPT);
    }

    void register(Routes r) {
        r.get("/install.sh", this::installScript);
        r.get("/downloads/agentd.tar.gz", this::tarball);
    }

    /**
     * This control plane's base URL as a dev box should reach it: {@code PUBLIC_URL}, else (a loopback server) its
     * own loopback address, else the {@code Host} the request came to, if it is a plain host and port.
     */
    String baseUrl(ServerRequest req) {
        String base = origin.baseUrl();
        if (base == null) {
            String host = req.headers().first(HeaderNames.HOST).orElse("");
            if (!HOST.matcher(host).matches()) {
                throw ApiError.badRequest("cannot tell this server's address from the request's Host header;"
                        + " set PUBLIC_URL");
            }
            base = (req.isSecure() ? "https://" : "http://") + host;
        }
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private void installScript(ServerRequest req, ServerResponse res) {
        String base = baseUrl(req);
        if (!SAFE_URL.matcher(base).matches()) {
            throw new ApiError(500, "internal", "the control plane's URL " + base + " has characters the install"
                    + " script cannot carry; set PUBLIC_URL to a plain http(s)://host[:port]");
        }
        String script = new String(template, StandardCharsets.UTF_8).replace(URL_MARK, base);
        res.header(HeaderNames.CONTENT_TYPE, "text/x-shellscript; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(script.getBytes(StandardCharsets.UTF_8));
    }

    private void tarball(ServerRequest req, ServerResponse res) {
        AgentdDist dist = AgentdDist.find(codeSource).orElseThrow(() -> new ApiError(404, "not_found",
                "agentd's distribution is not beside this control plane (" + codeSource.getParent() + "/agentd,"
                        + " or agentd/target in a source tree): build it (./commander build)"));
        byte[] bytes = archive(dist);
        res.header(HeaderNames.CONTENT_TYPE, "application/gzip");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"agentd.tar.gz\"");
        res.send(bytes);
    }

    /** The archive of {@code dist}, built again only when one of its files changed. */
    private byte[] archive(AgentdDist dist) {
        String fp = dist.fingerprint();
        Archive a = cached;
        if (a != null && a.fingerprint().equals(fp)) {
            return a.bytes();
        }
        synchronized (building) {
            a = cached;
            if (a != null && a.fingerprint().equals(fp)) {
                return a.bytes();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 20);
            try {
                TarGz.write(out, "agentd", dist.entries(), clock.instant().getEpochSecond());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build agentd.tar.gz", e);
            }
            cached = new Archive(fp, out.toByteArray());
            return cached.bytes();
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = Downloads.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
    }
}
