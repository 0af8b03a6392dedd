package ai.numio.lmgate;

import java.time.Duration;

/**
 * When the gateway's shutdown grace period ends: an exchange that fails after that instant was cut
 * by the shutdown and is recorded {@code shutdown}, whatever the adapter saw (usually the client
 * connection closing under it).
 */
final class ShutdownClock {

  private final TimeSource time;
  private volatile long deadlineNanos;
  private volatile boolean stopping;

  ShutdownClock(TimeSource time) {
    this.time = time;
  }

  /** Shutdown began; exchanges still running after {@code grace} are cut by it. */
  void begin(Duration grace) {
    deadlineNanos = time.nanoTime() + grace.toNanos();
    stopping = true;
  }

  /** Whether the grace period is over (false until {@link #begin}). */
  boolean cutting() {
    return stopping && time.nanoTime() - deadlineNanos >= 0;
  }
}
