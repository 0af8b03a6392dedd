package ai.numio.lmgate;

/**
 * Why an exchange ended without a complete response; its {@link #errorType()} goes to the usage
 * record when the provider's body named no error of its own.
 */
public enum Failure {
  /** Connect, DNS or TLS failure: nothing reached the provider. The client gets 502. */
  UPSTREAM_UNREACHABLE("upstream_unreachable", 502),
  /** The provider did not answer, or went silent, within the configured timeout. Client: 504. */
  UPSTREAM_TIMEOUT("upstream_timeout", 504),
  /** The provider cut the response mid-way. */
  UPSTREAM_DISCONNECTED("upstream_disconnected", 502),
  /**
   * The client went away; the upstream request is aborted. 499 is recorded when no response had
   * started (nginx's convention for a request the client closed).
   */
  CLIENT_DISCONNECTED("client_disconnected", 499),
  /** Anything unexpected inside the gateway. */
  GATEWAY_ERROR("gateway_error", 500);

  /**
   * The request attribute under which an application (or LMGate's own forwarding servlet) tells the
   * filter how its egress failed: set it to a {@code Failure} before the response ends, and the
   * record carries that failure instead of the status class.
   */
  public static final String REQUEST_ATTRIBUTE = "lmgate.failure";

  private final String errorType;
  private final int status;

  Failure(String errorType, int status) {
    this.errorType = errorType;
    this.status = status;
  }

  /** The {@code error_type} written to the usage record. */
  public String errorType() {
    return errorType;
  }

  /** The status recorded (and, where the gateway still can, answered) if no response started. */
  public int status() {
    return status;
  }
}
