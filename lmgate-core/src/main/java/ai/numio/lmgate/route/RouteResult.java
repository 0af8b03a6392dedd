package ai.numio.lmgate.route;

/** What {@link Router#match} decided for a request path. */
public sealed interface RouteResult permits RouteMatch, RouteNotFound, RouteRejected {

  /** The three outcomes, for a {@code switch}. */
  enum Kind {
    /** A route's prefix matched: forward the request ({@link RouteMatch}). */
    MATCHED,
    /** No prefix matched: answer 404 {@code not_found} ({@link RouteNotFound}). */
    NOT_FOUND,
    /** The path could escape its route or is ambiguous: answer 400 ({@link RouteRejected}). */
    REJECTED
  }

  /** Which outcome this is. */
  Kind kind();

  /** A message for the client and the log; never contains the request path. */
  String message();
}
