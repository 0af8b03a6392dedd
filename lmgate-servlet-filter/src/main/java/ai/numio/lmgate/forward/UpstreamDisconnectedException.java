package ai.numio.lmgate.forward;

import ai.numio.lmgate.Failure;
import java.io.IOException;

/**
 * Thrown out of {@link ForwardingServlet#service} when the upstream's response broke off after it
 * had begun (the upstream cut the connection, or went silent for longer than {@code
 * upstream.idle_timeout_seconds}): the container then closes the client's connection, so the client
 * sees a cut instead of a cleanly ended, truncated body. {@link #failure()} says which.
 */
public final class UpstreamDisconnectedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final Failure failure;

  UpstreamDisconnectedException(String message, Failure failure) {
    super(message);
    this.failure = failure;
  }

  /** {@code UPSTREAM_DISCONNECTED}, or {@code UPSTREAM_TIMEOUT} if the upstream went silent. */
  public Failure failure() {
    return failure;
  }

  /** No stack trace: the cause is the upstream, not this code; the message says what happened. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
