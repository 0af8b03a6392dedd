package ai.numio.lmgate.forward;

import ai.numio.lmgate.filter.ClientConnection;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches the client of one forwarded request while the forwarder waits for the upstream's response
 * head, and aborts the upstream request at once if the client leaves. The servlet API tells of a
 * closed client only when a write fails, and no container reads an HTTP/1.1 connection whose
 * request body is whole; so from the end of the request body until the head arrives, the client's
 * connection is looked at ({@link ClientConnection#left}) every {@value #POLL_MILLIS} ms on the
 * forwarder's shared timer thread — no thread per request, and the same look the filter takes when
 * the head is set.
 *
 * <p>Looking also requires that the container is not reading the connection meanwhile (a byte read
 * between two looks could make a live connection seem closed), hence the start at the body's end
 * and {@link #end}, which returns only once no look is running.
 */
final class HeadWait {

  /** How often the client is looked at: a client that leaves is noticed within this. */
  static final long POLL_MILLIS = 100;

  private final ClientConnection client;
  private final ScheduledExecutorService timer;
  private ScheduledFuture<?> poll;
  private Future<?> upstream;
  private boolean ended;
  private boolean left;

  HeadWait(ClientConnection client, ScheduledExecutorService timer) {
    this.client = client;
    this.timer = timer;
  }

  /** A wait that never looks: the container tells nothing more than the servlet API. */
  static HeadWait none() {
    return new HeadWait(ClientConnection.UNKNOWN, null);
  }

  /**
   * The request body has been read whole (or there is none): the container no longer reads the
   * connection, the looks begin.
   */
  synchronized void bodyRead() {
    if (ended || poll != null || timer == null) {
      return;
    }
    try {
      poll =
          timer.scheduleWithFixedDelay(this::look, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      ended = true; // the servlet is being destroyed
    }
  }

  /** The upstream request to abort if the client leaves (at once, if it already has). */
  void abortOnLeave(Future<?> request) {
    boolean abort;
    synchronized (this) {
      upstream = request;
      abort = left;
    }
    if (abort) {
      request.cancel(true);
    }
  }

  /** Ends the wait: once this returns, the connection is not looked at again. */
  synchronized void end() {
    ended = true;
    if (poll != null) {
      poll.cancel(false);
    }
  }

  /** Whether the client was seen to leave. */
  synchronized boolean clientLeft() {
    return left;
  }

  private void look() {
    Future<?> abort;
    synchronized (this) {
      if (ended || !client.left()) {
        return;
      }
      left = true;
      ended = true;
      poll.cancel(false);
      abort = upstream;
    }
    if (abort != null) {
      abort.cancel(true); // the JDK client closes the upstream connection (JDK 16+)
    }
  }
}
