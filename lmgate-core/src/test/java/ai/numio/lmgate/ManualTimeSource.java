package ai.numio.lmgate;

import java.time.Duration;
import java.time.Instant;

/** A clock that moves only when a test says so. */
public final class ManualTimeSource implements TimeSource {

  private Instant now;
  private long nanos = 1_000_000_000L;

  public ManualTimeSource(Instant start) {
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

  public synchronized void advance(Duration d) {
    now = now.plus(d);
    nanos += d.toNanos();
  }

  /** Sets the wall clock only (as a file-system timestamp would jump); monotonic time stays. */
  public synchronized void setWallClock(Instant instant) {
    now = instant;
  }
}
