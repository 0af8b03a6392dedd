package ai.numio.lmgate;

/**
 * Why an exchange ended without a complete response: the {@link #errorType()} for the usage record
 * (when the provider's body named no error of its own), and the {@link #status()} and {@link
 * #message()} of the answer the client gets when no response had started ({@link
 * ErrorResponse#of(Failure)}).
 */
public enum Failure {
  /** Connect, DNS or TLS failure: the request never reached the provider. */
  UPSTREAM_UNREACHABLE("upstream_unreachable", 502, "Upstream provider could not be reached"),
  /** The provider did not answer, or went silent, within the configured timeout. */
  UPSTREAM_TIMEOUT("upstream_timeout", 504, "Upstream provider did not answer in time"),
  /**
   * The provider received the request but closed the connection before its response was whole
   * (before the response head, or mid-way through the body).
   */
  UPSTREAM_DISCONNECTED("upstream_disconnected", 502, "Upstream provider closed the connection"),
  /**
   * The client went away (or its request body broke off); the upstream request is aborted. 499 is
   * recorded when no response had started (nginx's convention for a request the client closed).
   */
  CLIENT_DISCONNECTED("client_disconnected", 499, "Client closed the request"),
  /**
   * The client's request body is malformed (a bad chunk size, fewer bytes than its {@code
   * Content-Length}): answered 400 and recorded as the client's failure.
   */
  MALFORMED_REQUEST_BODY(
      "client_disconnected",
      400,
      "Request body is malformed (chunked encoding or length)",
      "bad_request"),
  /** The gateway was stopping and its shutdown grace period ended before the response did. */
  SHUTDOWN("shutdown", 503, "Gateway is shutting down"),
  /** Anything unexpected inside the gateway. */
  GATEWAY_ERROR("gateway_error", 500, "Internal gateway error");

  /**
   * The request attribute under which an application can tell the filter how its egress failed: set
   * it to a {@code Failure} before the response ends, and the record carries that failure instead
   * of the status class. Kept for applications that use it; new code calls {@code
   * ai.numio.lmgate.servlet.GatedRequest.reportFailure}.
   */
  public static final String REQUEST_ATTRIBUTE = "lmgate.failure";

  private final String errorType;
  private final int status;
  private final String message;
  private final String answerError;

  Failure(String errorType, int status, String message) {
    this(errorType, status, message, errorType);
  }

  Failure(String errorType, int status, String message, String answerError) {
    this.errorType = errorType;
    this.status = status;
    this.message = message;
    this.answerError = answerError;
  }

  /** The {@code error_type} written to the usage record. */
  public String errorType() {
    return errorType;
  }

  /** The status answered (and recorded) when no response had started. */
  public int status() {
    return status;
  }

  /** The error type of the answer the client gets (its own mistake is {@code bad_request}). */
  public String answerError() {
    return answerError;
  }

  /** The message of the answer the client gets when no response had started. */
  public String message() {
    return message;
  }
}
