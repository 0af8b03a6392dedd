package ai.numio.lmgate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs denied requests without letting a flood of them flood the log: at most {@link #PER_SECOND}
 * lines a second, then one line saying how many were not logged.
 */
final class DenialLog {

  static final int PER_SECOND = 20;
  private static final Logger log = LoggerFactory.getLogger(LMGate.class);
  private static final long SECOND = 1_000_000_000L;

  private final TimeSource time;
  private long windowStart;
  private int inWindow;
  private long suppressed;

  DenialLog(TimeSource time) {
    this.time = time;
    this.windowStart = time.nanoTime();
  }

  synchronized void denied(String reason, String maskedKey, String client) {
    long now = time.nanoTime();
    if (now - windowStart >= SECOND) {
      if (suppressed > 0) {
        log.warn("{} more denied requests were not logged in the last second", suppressed);
      }
      windowStart = now;
      inWindow = 0;
      suppressed = 0;
    }
    if (inWindow++ < PER_SECOND) {
      log.warn("Denied request from {}: {} (key {})", client, reason, maskedKey);
    } else {
      suppressed++;
    }
  }
}
