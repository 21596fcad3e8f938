package dev.agentcommander.controlplane.http;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every REST registration goes through this table, which records (method, path) as it registers the handler with
 * Helidon. So the set of routes the server serves is a plain list anyone can read, and a test compares it with the
 * OpenAPI document instead of scraping Helidon's internals: a route added here without documenting it fails the
 * build. Registration order is Helidon's matching order, as with the builder itself.
 */
public final class Routes {
    /**
     * One registered route: {@code method} is {@code GET}, {@code POST}, {@code PATCH}, {@code DELETE} or
     * {@code ANY} (every method); {@code path} is the pattern exactly as registered ({@code /v1/hosts/{id}},
     * {@code /v1/*}).
     */
    public record Route(String method, String path) {
    }

    private final HttpRouting.Builder routing;
    private final List<Route> routes = new ArrayList<>();

    Routes(HttpRouting.Builder routing) {
        this.routing = routing;
    }

    Routes get(String path, Handler handler) {
        return add("GET", path, () -> routing.get(path, handler));
    }

    Routes post(String path, Handler handler) {
        return add("POST", path, () -> routing.post(path, handler));
    }

    Routes patch(String path, Handler handler) {
        return add("PATCH", path, () -> routing.patch(path, handler));
    }

    Routes delete(String path, Handler handler) {
        return add("DELETE", path, () -> routing.delete(path, handler));
    }

    Routes any(String path, Handler handler) {
        return add("ANY", path, () -> routing.any(path, handler));
    }

    /** A service serving GETs under {@code path} (static files); recorded as {@code GET path}. */
    Routes files(String path, Supplier<? extends HttpService> service) {
        return add("GET", path, () -> routing.register(path, service));
    }

    /** What was registered, in registration order. */
    public List<Route> all() {
        return List.copyOf(routes);
    }

    private Routes add(String method, String path, Runnable register) {
        Route r = new Route(method, path);
        if (routes.contains(r)) {
            throw new IllegalStateException("route registered twice: " + method + " " + path);
        }
        routes.add(r);
        register.run();
        return this;
    }
}
