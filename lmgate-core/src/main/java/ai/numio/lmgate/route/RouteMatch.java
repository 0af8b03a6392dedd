package ai.numio.lmgate.route;

/**
 * A request path matched {@code route}.
 *
 * @param route the matched route
 * @param remainder the raw (still percent-encoded) path after the route prefix; empty for a request
 *     to the bare prefix; never starts with {@code /}
 * @param target the route's upstream
 */
public record RouteMatch(Route route, String remainder, UpstreamTarget target)
    implements RouteResult {

  @Override
  public String message() {
    return "matched route '" + route.name() + "'";
  }

  /**
   * The URI to send the request to; see {@link UpstreamTarget#uri}.
   *
   * @param rawQuery the raw query string as the client sent it, or null if there was none; an empty
   *     query adds no {@code ?}
   */
  public String upstreamUri(String rawQuery) {
    return target.uri(remainder, rawQuery);
  }
}
