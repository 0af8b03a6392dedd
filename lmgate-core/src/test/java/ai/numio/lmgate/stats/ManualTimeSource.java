package ai.numio.lmgate.stats;

import ai.numio.lmgate.TimeSource;
import java.time.Duration;
import java.time.Instant;

/** A clock that moves only when a test says so. */
final class ManualTimeSource implements TimeSource {

  private Instant now;
  private long nanos = 1_000_000_000L;

  ManualTimeSource(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  synchronized void advance(Duration d) {
    now = now.plus(d);
    nanos += d.toNanos();
  }
}
