package ai.numio.lmgate.forward;

import ai.numio.lmgate.TimeSource;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends an upstream response body that has been silent for longer than {@code
 * upstream.idle_timeout_seconds}: closes the body stream (which aborts the upstream exchange and
 * wakes the thread blocked reading it) and remembers that it did, so the reader reports a timeout
 * rather than an end.
 */
final class UpstreamIdleGuard implements AutoCloseable {

  private final Closeable body;
  private final ScheduledExecutorService timer;
  private final TimeSource time;
  private final long idleNanos;
  private volatile long lastProgressNanos;
  private volatile boolean expired;
  private volatile boolean stopped;
  private ScheduledFuture<?> next;

  private UpstreamIdleGuard(
      Closeable body, ScheduledExecutorService timer, TimeSource time, long idleNanos) {
    this.body = body;
    this.timer = timer;
    this.time = time;
    this.idleNanos = idleNanos;
    this.lastProgressNanos = time.nanoTime();
  }

  /** Starts watching {@code body}, which must show progress at least every {@code idleNanos}. */
  static UpstreamIdleGuard watch(
      Closeable body, ScheduledExecutorService timer, TimeSource time, long idleNanos) {
    UpstreamIdleGuard guard = new UpstreamIdleGuard(body, timer, time, idleNanos);
    guard.schedule(idleNanos);
    return guard;
  }

  /** Bytes arrived: the silence starts again now. */
  void progress() {
    lastProgressNanos = time.nanoTime();
  }

  /** True once the guard closed the body for silence. */
  boolean expired() {
    return expired;
  }

  /** Stops watching. */
  @Override
  public synchronized void close() {
    stopped = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  private synchronized void schedule(long delayNanos) {
    if (!stopped) {
      next = timer.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void check() {
    if (stopped) {
      return;
    }
    long silent = time.nanoTime() - lastProgressNanos;
    if (silent < idleNanos) {
      schedule(idleNanos - silent);
      return;
    }
    expired = true;
    try {
      body.close();
    } catch (IOException | RuntimeException e) {
      // closing is all that could be done; the reader sees the stream end or fail
    }
  }
}
