package ai.numio.lmgate.filter;

import ai.numio.lmgate.Failure;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;

/**
 * Ends the exchange of an asynchronous request: the record is written on {@code onComplete}, which
 * the container calls last in every case, so it carries the status the client really got; an
 * earlier {@code onError} or {@code onTimeout} decides its error type.
 */
final class AsyncCompletion implements AsyncListener {

  private static final int MAX_CAUSES = 16; // a cause chain is short; a cyclic one must end

  private final MeteredExchange metered;

  AsyncCompletion(MeteredExchange metered) {
    this.metered = metered;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    metered.noteReportedFailure(event.getSuppliedRequest());
    metered.finish();
  }

  @Override
  public void onError(AsyncEvent event) {
    metered.noteFailure(classify(event.getThrowable()));
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    metered.noteFailure(Failure.UPSTREAM_TIMEOUT);
  }

  /** The application started async again (after a dispatch): keep listening. */
  @Override
  public void onStartAsync(AsyncEvent event) {
    event.getAsyncContext().addListener(this);
  }

  /**
   * An I/O error anywhere in the cause chain is the client connection failing (containers report a
   * client that went away as an {@link IOException}: Tomcat's {@code ClientAbortException}, Jetty's
   * {@code EofException}); anything else is unexpected.
   */
  static Failure classify(Throwable error) {
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
      if (t instanceof IOException) {
        return Failure.CLIENT_DISCONNECTED;
      }
    }
    return Failure.GATEWAY_ERROR;
  }
}
