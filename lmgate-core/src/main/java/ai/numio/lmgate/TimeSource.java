package ai.numio.lmgate;

import java.time.Instant;

/**
 * Wall-clock and monotonic time, injected everywhere time matters so tests control it and never
 * sleep.
 */
public interface TimeSource {

  /** Wall-clock time, for timestamps and file names. */
  Instant now();

  /** Monotonic nanoseconds, for durations only. */
  long nanoTime();

  /** The system clocks. */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}
