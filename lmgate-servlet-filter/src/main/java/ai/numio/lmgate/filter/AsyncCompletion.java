package ai.numio.lmgate.filter;

import ai.numio.lmgate.Failure;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the exchange of an asynchronous request: the record is written on {@code onComplete}, which
 * the container calls last in every case, so it carries the status the client really got; an
 * earlier {@code onError} or {@code onTimeout} decides its error type.
 */
final class AsyncCompletion implements AsyncListener {

  private static final Logger log = LoggerFactory.getLogger(AsyncCompletion.class);
  private static final int MAX_CAUSES = 16; // a cause chain is short; a cyclic one must end

  private final MeteredExchange metered;

  private AsyncCompletion(MeteredExchange metered) {
    this.metered = metered;
  }

  /**
   * Follows an asynchronous request to its end; false if the request is not asynchronous (or the
   * container refused the listener: logged), and the caller records it now.
   */
  static boolean follow(ServletRequest request, MeteredExchange metered) {
    if (!request.isAsyncStarted()) {
      return false;
    }
    try {
      request.getAsyncContext().addListener(new AsyncCompletion(metered));
      return true;
    } catch (IllegalStateException e) {
      log.warn("LMGate could not follow an asynchronous response; recording it now", e);
      return false;
    }
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
