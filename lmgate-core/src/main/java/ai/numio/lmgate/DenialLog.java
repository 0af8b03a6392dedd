package ai.numio.lmgate;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs denied requests without letting a flood of them flood the log: at most {@link #PER_SECOND}
 * lines in a one-second window, then, once the window is over, one line saying how many more were
 * not logged. The summary is written by the next denial or by the next {@link #tick}, whichever
 * comes first; the gate ticks every second ({@link #schedule}), so a flood that stops still gets
 * its summary within about two seconds, and {@link #flush} writes a pending one at close.
 */
final class DenialLog {

  static final int PER_SECOND = 20;
  private static final Logger log = LoggerFactory.getLogger(DenialLog.class);
  private static final long SECOND = 1_000_000_000L;

  private final TimeSource time;
  private long windowStart;
  private int inWindow;
  private long suppressed;

  DenialLog(TimeSource time) {
    this.time = time;
    this.windowStart = time.nanoTime();
  }

  /** Ticks every second on {@code executor} until it is shut down. */
  void schedule(ScheduledExecutorService executor) {
    executor.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  synchronized void denied(String reason, String maskedKey, String client) {
    long now = time.nanoTime();
    if (now - windowStart >= SECOND) {
      summarise();
      windowStart = now;
      inWindow = 0;
    }
    if (inWindow++ < PER_SECOND) {
      log.warn("Denied request from {}: {} (key {})", client, reason, maskedKey);
    } else {
      suppressed++;
    }
  }

  /** Writes the summary of a window that is over; a window still running is left alone. */
  synchronized void tick() {
    if (suppressed > 0 && time.nanoTime() - windowStart >= SECOND) {
      summarise();
    }
  }

  /** Writes the summary of the current window now, over or not (at close). */
  synchronized void flush() {
    summarise();
  }

  private void summarise() {
    if (suppressed > 0) {
      log.warn(
          "{} more denied requests were not logged (at most {} are logged a second)",
          suppressed,
          PER_SECOND);
      suppressed = 0;
    }
  }
}
