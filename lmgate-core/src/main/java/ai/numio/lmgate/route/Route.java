package ai.numio.lmgate.route;

import ai.numio.lmgate.providerkey.KeyReference;
import java.net.URI;

/**
 * One configured route: requests whose path starts with {@code prefix} go to {@code upstream}.
 *
 * @param name the route name; it is the {@code provider} of every usage record of the route
 * @param prefix the path prefix, of the form {@code /name/} (leading and trailing slash)
 * @param upstream absolute http(s) URI, optionally with a base path, never with a query
 * @param format the API family the upstream speaks
 * @param upstreamKey the provider key the gateway holds for this route ({@code
 *     providers.<name>.upstream_key}, SPEC-2 §15): callers then authenticate with their LMGate key
 *     and their credentials are replaced by this key upstream; null when callers send the provider
 *     key themselves
 */
public record Route(
    String name, String prefix, URI upstream, Format format, KeyReference upstreamKey) {

  /** A route whose callers send the provider key themselves. */
  public Route(String name, String prefix, URI upstream, Format format) {
    this(name, prefix, upstream, format, null);
  }

  /**
   * Checks the route as the {@link Router} will use it.
   *
   * @throws IllegalArgumentException naming the route, for a missing value, a prefix not of the
   *     form {@code /name/} (one or more segments) or an upstream that is not an absolute http(s)
   *     URL with a host and without user info, query or fragment
   */
  public Route {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a route needs a name");
    }
    String problem = prefix == null ? "is missing" : prefixProblem(prefix);
    if (problem != null) {
      throw new IllegalArgumentException(
          "route '"
              + name
              + "': prefix "
              + problem
              + "; give a prefix of the form /name/, like /"
              + name
              + "/");
    }
    UpstreamTarget.of(name, upstream);
    if (format == null) {
      throw new IllegalArgumentException(
          "route '" + name + "': format is missing; give openai, anthropic or google");
    }
  }

  private static String prefixProblem(String prefix) {
    if (prefix.length() < 3 || prefix.charAt(0) != '/' || !prefix.endsWith("/")) {
      return "'" + prefix + "' does not start and end with '/' around a name";
    }
    String pathProblem = RawPath.problem(prefix);
    return pathProblem == null ? null : "'" + prefix + "' is not usable: " + pathProblem;
  }
}
