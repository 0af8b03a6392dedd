package ai.numio.lmgate;

import java.nio.charset.StandardCharsets;

/**
 * An answer LMGate gives itself, as JSON {@code {"error":"<type>","message":"..."}}. Every adapter
 * answers through {@link #of(Failure)} and the constants here, so the gateway, the filter and the
 * WAR answer alike.
 */
public record ErrorResponse(int status, String error, String message) {

  public static final String CONTENT_TYPE = "application/json";

  /** An API key that is missing or not on the allow-list. */
  public static final ErrorResponse FORBIDDEN =
      new ErrorResponse(403, "forbidden", "API key not authorized");

  /** A path under no configured route. */
  public static final ErrorResponse NOT_FOUND =
      new ErrorResponse(404, "not_found", "No route for this path");

  /** A path that tries to leave its route (dot segments, encoded slashes, empty segments). */
  public static final ErrorResponse BAD_PATH =
      new ErrorResponse(400, "bad_request", "Request path is not allowed");

  /** The answer to a failure that happened before any response byte reached the client. */
  public static ErrorResponse of(Failure failure) {
    return switch (failure) {
      case UPSTREAM_UNREACHABLE ->
          new ErrorResponse(502, failure.errorType(), "Upstream provider could not be reached");
      case UPSTREAM_TIMEOUT ->
          new ErrorResponse(504, failure.errorType(), "Upstream provider did not answer in time");
      case UPSTREAM_DISCONNECTED ->
          new ErrorResponse(502, failure.errorType(), "Upstream provider closed the connection");
      case CLIENT_DISCONNECTED ->
          new ErrorResponse(499, failure.errorType(), "Client closed the request");
      case GATEWAY_ERROR -> new ErrorResponse(500, failure.errorType(), "Internal gateway error");
    };
  }

  /** A path under no route, with the router's explanation (which prefixes exist). */
  public static ErrorResponse notFound(String message) {
    return new ErrorResponse(404, "not_found", message);
  }

  /** A refused path, with the router's explanation (which rule, at which offset). */
  public static ErrorResponse badPath(String message) {
    return new ErrorResponse(400, "bad_request", message);
  }

  /** The JSON body, UTF-8. */
  public byte[] body() {
    return ("{\"error\":\"" + json(error) + "\",\"message\":\"" + json(message) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String json(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
