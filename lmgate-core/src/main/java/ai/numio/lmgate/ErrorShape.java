package ai.numio.lmgate;

import ai.numio.lmgate.config.ErrorFormat;
import ai.numio.lmgate.route.Format;

/**
 * The shape of the JSON body of an error LMGate answers itself: its own (SPEC §5), or the one the
 * route's provider uses for its errors ({@code server.error_format: provider}), so that official
 * SDKs show LMGate's message and raise the exception class that matches the status.
 */
public enum ErrorShape {
  /** {@code {"error":"<type>","message":"..."}}. */
  LMGATE,
  /** {@code {"error":{"message","type","param","code"}}}; {@code code} is LMGate's error type. */
  OPENAI,
  /** {@code {"type":"error","error":{"type","message"}}}. */
  ANTHROPIC,
  /**
   * {@code {"error":{"code","message","status","details":[ErrorInfo]}}}; the {@code ErrorInfo}'s
   * {@code reason} is LMGate's error type in upper case, its {@code domain} {@code lmgate}.
   */
  GOOGLE;

  /**
   * The shape for a request on a route of this format.
   *
   * @param routeFormat null when no route is known (a path under no route): LMGate's own shape
   */
  public static ErrorShape of(ErrorFormat format, Format routeFormat) {
    if (format != ErrorFormat.PROVIDER || routeFormat == null) {
      return LMGATE;
    }
    return switch (routeFormat) {
      case OPENAI -> OPENAI;
      case ANTHROPIC -> ANTHROPIC;
      case GOOGLE -> GOOGLE;
    };
  }

  /** The JSON body of {@code error} in this shape (without the trailing newline). */
  String render(ErrorResponse error) {
    String message = Json.string(error.message());
    String type = Json.string(error.error());
    return switch (this) {
      case LMGATE -> "{\"error\":" + type + ",\"message\":" + message + "}";
      case OPENAI ->
          "{\"error\":{\"message\":"
              + message
              + ",\"type\":"
              + Json.string(openAiType(error.status()))
              + ",\"param\":null,\"code\":"
              + type
              + "}}";
      case ANTHROPIC ->
          "{\"type\":\"error\",\"error\":{\"type\":"
              + Json.string(anthropicType(error.status()))
              + ",\"message\":"
              + message
              + "}}";
      case GOOGLE ->
          "{\"error\":{\"code\":"
              + error.status()
              + ",\"message\":"
              + message
              + ",\"status\":"
              + Json.string(googleStatus(error.status()))
              + ",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
              + "\"reason\":"
              + Json.string(error.error().toUpperCase(java.util.Locale.ROOT))
              + ",\"domain\":\"lmgate\"}]}}";
    };
  }

  /** OpenAI's error {@code type} for a status (the SDKs choose the exception by status). */
  static String openAiType(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "server_error" : "invalid_request_error";
    };
  }

  /** Anthropic's documented error types by status. */
  static String anthropicType(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 504 -> "timeout_error";
      case 529 -> "overloaded_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  /** The {@code google.rpc.Code} name Google's HTTP mapping gives a status. */
  static String googleStatus(int status) {
    return switch (status) {
      case 400, 405, 411, 413, 414, 431 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 499 -> "CANCELLED";
      case 501 -> "UNIMPLEMENTED";
      case 502, 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    };
  }
}
