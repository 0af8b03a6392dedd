package ai.numio.lmgate.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Chooses the route for a request path (SPEC §3): the longest configured prefix that the path
 * starts with. Immutable and safe to share between threads.
 *
 * <p>The path is first checked as a whole (see {@link RawPath}): a path with dot segments, encoded
 * slashes, empty segments and the like is {@link RouteRejected rejected} before any prefix is
 * tried, so no request can leave its route. Prefixes are compared on the path with percent-encoded
 * unreserved characters decoded ({@code /op%65nai/} is {@code /openai/}), case-sensitively; the
 * remainder handed on is always the client's raw text. The upstream comes only from the matched
 * route's configuration.
 */
public final class Router {

  private final List<Route> routes;
  private final List<Compiled> longestFirst;
  private final int maxSlashes;
  private final RouteNotFound notFound;

  /**
   * Prepares the routes.
   *
   * @param routes the configured routes, in configuration order
   * @throws IllegalArgumentException naming the route, for a prefix not of the form {@code /name/}
   *     (one or more segments), two routes with the same prefix, or an unusable upstream
   */
  public Router(List<Route> routes) {
    this.routes = List.copyOf(routes);
    List<Compiled> compiled = new ArrayList<>(this.routes.size());
    Map<String, Route> byPrefix = new HashMap<>();
    for (Route route : this.routes) {
      Compiled c = compile(route);
      Route other = byPrefix.putIfAbsent(c.prefix(), route);
      if (other != null) {
        throw new IllegalArgumentException(
            "routes '"
                + other.name()
                + "' and '"
                + route.name()
                + "' have the same prefix '"
                + route.prefix()
                + "'; give each route its own prefix");
      }
      compiled.add(c);
    }
    compiled.sort(Comparator.comparingInt((Compiled c) -> c.prefix().length()).reversed());
    this.longestFirst = List.copyOf(compiled);
    this.maxSlashes = compiled.stream().mapToInt(c -> c.slashes()).max().orElse(0);
    this.notFound =
        new RouteNotFound(
            this.routes.isEmpty()
                ? "no route is configured"
                : "no route matches this path; paths must start with one of "
                    + this.routes.stream().map(Route::prefix).collect(Collectors.joining(", ")));
  }

  /** The routes, in configuration order. */
  public List<Route> routes() {
    return routes;
  }

  /**
   * Chooses the route for a request path.
   *
   * @param rawPath the path exactly as the client sent it: still percent-encoded, without query
   * @return a {@link RouteMatch}, {@link RouteNotFound} or {@link RouteRejected}
   */
  public RouteResult match(String rawPath) {
    Objects.requireNonNull(rawPath, "rawPath");
    String problem = RawPath.problem(rawPath);
    if (problem != null) {
      return new RouteRejected(problem);
    }
    boolean encoded = rawPath.indexOf('%') >= 0;
    String key = encoded ? RawPath.normalizedHead(rawPath, maxSlashes) : rawPath;
    for (Compiled c : longestFirst) {
      if (key.startsWith(c.prefix())) {
        int start = encoded ? RawPath.afterSlash(rawPath, c.slashes()) : c.prefix().length();
        return new RouteMatch(c.route(), rawPath.substring(start), c.target());
      }
    }
    return notFound;
  }

  /** A route prepared for matching; its constructor checked its prefix and upstream. */
  private static Compiled compile(Route route) {
    String prefix = route.prefix();
    String normalized = RawPath.normalizedHead(prefix, Integer.MAX_VALUE);
    return new Compiled(route, normalized, RawPath.slashes(prefix), UpstreamTarget.of(route));
  }

  /** A route prepared for matching: its prefix in normalized form, and its upstream. */
  private record Compiled(Route route, String prefix, int slashes, UpstreamTarget target) {}
}
