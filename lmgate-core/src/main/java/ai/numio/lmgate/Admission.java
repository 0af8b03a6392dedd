package ai.numio.lmgate;

import ai.numio.lmgate.route.RouteMatch;
import java.util.Optional;

/** What {@link LMGate#admit} decided for a request: let it in, or how to refuse it. */
public sealed interface Admission {

  /**
   * The request may go on; its exchange has begun and will write one usage record.
   *
   * @param route the matched route; empty for a filter's request under no route, or metered as a
   *     named provider
   * @param upstreamUri where the request goes, for a matched route: the route's upstream, the path
   *     remainder, the query as sent; null without a route
   * @param readAhead the body bytes read to find the requested model, to be sent before the rest of
   *     the body; {@link BodyPrefix#EMPTY} when nothing was read (no model rule applies)
   * @param upstreamCredential what to do with the client's credentials upstream (SPEC-2 §15): pass
   *     them, or replace them all by the provider key the gateway holds; {@code upstreamUri} is
   *     already without the query's credential parameters
   */
  record Admitted(
      Caller caller,
      Optional<RouteMatch> route,
      String upstreamUri,
      Exchange exchange,
      BodyPrefix readAhead,
      UpstreamCredential upstreamCredential)
      implements Admission {}

  /**
   * The request is refused before anything went upstream. A policy refusal (SPEC-2 §14: 403 {@code
   * model_not_allowed} / {@code key_expired}, 429 {@code rate_limited} / {@code budget_exceeded}
   * with {@code Retry-After} in {@link ErrorResponse#headers()}, 400 for a model that cannot be
   * found, 503 {@code limit_store_unavailable}) has been recorded by the core; the others (route,
   * method, key) are not recorded.
   *
   * @param shape the shape to answer in ({@code server.error_format} and the route, if one matched)
   */
  record Refused(ErrorResponse error, ErrorShape shape) implements Admission {
    /** The JSON body to send. */
    public byte[] body() {
      return error.body(shape);
    }
  }
}
