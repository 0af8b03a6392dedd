package ai.numio.lmgate;

import ai.numio.lmgate.route.RouteNotFound;
import ai.numio.lmgate.route.RouteRejected;
import ai.numio.lmgate.route.RouteResult;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * An answer LMGate gives itself: a status, LMGate's error type and a message for the client. Every
 * refusal and failure of every adapter is one of these — the constants, {@link #of(RouteResult)},
 * {@link #of(Failure)} — and its body is rendered once, by {@link #body(ErrorShape)}, so the
 * gateway, the filter and the WAR answer alike.
 */
public record ErrorResponse(int status, String error, String message, Map<String, String> headers) {

  public static final String CONTENT_TYPE = "application/json";

  /** The methods LLM APIs use; others are not forwarded (405). */
  public static final Set<String> FORWARDED_METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  /** A method LMGate does not forward ({@code TRACE}, {@code CONNECT}, anything unknown). */
  public static final ErrorResponse METHOD_NOT_ALLOWED =
      new ErrorResponse(
          405,
          "method_not_allowed",
          "Method not allowed; LMGate forwards GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
          Map.of("Allow", "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"));

  /**
   * @param headers extra response headers ({@code Allow}, {@code Retry-After} …)
   */
  public ErrorResponse {
    headers = Map.copyOf(headers);
  }

  /** An answer without extra headers. */
  public ErrorResponse(int status, String error, String message) {
    this(status, error, message, Map.of());
  }

  /** An API key that is missing or not on the allow-list. */
  public static final ErrorResponse FORBIDDEN =
      new ErrorResponse(403, "forbidden", "API key not authorized");

  /**
   * A request whose method, query or headers cannot be sent upstream as they are (characters a URL
   * does not allow in the query, a method the HTTP client refuses); never echoes the request.
   */
  public static final ErrorResponse UNFORWARDABLE =
      new ErrorResponse(
          400,
          "bad_request",
          "Request has a method, query or header that cannot be forwarded; percent-encode"
              + " characters a URL does not allow");

  /** The answer to a path under no route (404) or one that tries to leave its route (400). */
  public static ErrorResponse of(RouteResult route) {
    if (route instanceof RouteNotFound) {
      return new ErrorResponse(404, "not_found", route.message());
    }
    if (route instanceof RouteRejected) {
      return new ErrorResponse(400, "bad_request", route.message());
    }
    throw new IllegalArgumentException("a matched route is not refused: " + route.message());
  }

  /** The answer to a failure that happened before any response byte reached the client. */
  public static ErrorResponse of(Failure failure) {
    return new ErrorResponse(failure.status(), failure.answerError(), failure.message());
  }

  /** The JSON body in LMGate's own shape, UTF-8. */
  public byte[] body() {
    return body(ErrorShape.LMGATE);
  }

  /** The JSON body in {@code shape}, UTF-8. */
  public byte[] body(ErrorShape shape) {
    return shape.render(this).getBytes(StandardCharsets.UTF_8);
  }
}
