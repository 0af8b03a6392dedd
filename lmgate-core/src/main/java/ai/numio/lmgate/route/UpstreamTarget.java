package ai.numio.lmgate.route;

import java.net.URI;
import java.util.Locale;

/**
 * Where a route's requests go, prepared once from its configured upstream so that building each
 * request's URI is one string concatenation.
 *
 * <p>Origin and {@code Host} come from the raw authority, so a host name with {@code _} (a Docker
 * Compose service name such as {@code my_vllm}, in which {@link URI} finds no host) is kept as
 * written.
 *
 * @param origin {@code scheme://authority} as configured (scheme in lower case), e.g. {@code
 *     https://api.openai.com} or {@code http://127.0.0.1:9999}
 * @param basePath the upstream's raw base path without trailing slash, {@code ""} if none, e.g.
 *     {@code /openai}
 * @param hostHeader the {@code Host} value to send upstream: {@code host[:port]}, the port left out
 *     when it is the scheme's default (80 for http, 443 for https)
 */
public record UpstreamTarget(String origin, String basePath, String hostHeader) {

  /** Derives the target of {@code route}'s upstream (checked when the route was made). */
  public static UpstreamTarget of(Route route) {
    return of(route.name(), route.upstream());
  }

  /**
   * The target of an upstream, for the route of that name.
   *
   * @throws IllegalArgumentException naming the route, if the upstream is not an absolute http(s)
   *     URL with a host and without user info, query or fragment
   */
  static UpstreamTarget of(String route, URI upstream) {
    if (upstream == null) {
      throw invalid(route, "is missing");
    }
    String scheme =
        upstream.getScheme() == null ? "" : upstream.getScheme().toLowerCase(Locale.ROOT);
    String authority = upstream.getRawAuthority();
    if (!(scheme.equals("http") || scheme.equals("https"))
        || authority == null
        || authority.isEmpty()
        || authority.charAt(0) == ':') {
      throw invalid(route, "'" + upstream + "' is not an absolute http(s) URL");
    }
    if (authority.indexOf('@') >= 0) {
      // Not echoed: user info may be a password.
      throw invalid(
          route, "must not carry user info (user:password@); clients send their own credentials");
    }
    if (upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
      throw invalid(route, "'" + upstream + "' must not have a query or fragment");
    }
    String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    return new UpstreamTarget(
        scheme + "://" + authority, path.substring(0, end), hostHeader(scheme, authority));
  }

  /**
   * The upstream URI for a request: origin, base path, {@code /}, the raw path remainder and, if
   * {@code rawQuery} is neither null nor empty, {@code ?} and the query. Nothing is decoded or
   * re-encoded.
   *
   * @param remainder the raw request path after the route prefix
   * @param rawQuery the raw query string as the client sent it, or null if there was none
   */
  public String uri(String remainder, String rawQuery) {
    boolean hasQuery = rawQuery != null && !rawQuery.isEmpty();
    int length =
        origin.length()
            + basePath.length()
            + 1
            + remainder.length()
            + (hasQuery ? 1 + rawQuery.length() : 0);
    StringBuilder uri =
        new StringBuilder(length).append(origin).append(basePath).append('/').append(remainder);
    if (hasQuery) {
      uri.append('?').append(rawQuery);
    }
    return uri.toString();
  }

  private static String hostHeader(String scheme, String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0 || colon < authority.lastIndexOf(']')) {
      return authority; // no port (an IPv6 literal's colons are inside the brackets)
    }
    String port = authority.substring(colon + 1);
    String defaultPort = scheme.equals("https") ? "443" : "80";
    return port.isEmpty() || port.equals(defaultPort) ? authority.substring(0, colon) : authority;
  }

  private static IllegalArgumentException invalid(String route, String problem) {
    return new IllegalArgumentException(
        "route '"
            + route
            + "': upstream "
            + problem
            + "; give a URL like https://api.openai.com or http://127.0.0.1:8000/base");
  }
}
