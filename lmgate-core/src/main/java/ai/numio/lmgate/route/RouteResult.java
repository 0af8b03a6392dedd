package ai.numio.lmgate.route;

/** What {@link Router#match} decided for a request path. */
public sealed interface RouteResult permits RouteMatch, RouteNotFound, RouteRejected {

  /** A message for the client and the log; never contains the request path. */
  String message();
}
