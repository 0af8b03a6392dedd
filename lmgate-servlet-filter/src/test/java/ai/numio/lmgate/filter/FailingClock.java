package ai.numio.lmgate.filter;

import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.TimeSource;
import java.time.Instant;

/**
 * A manual clock that can be told to fail once: the next {@link #nanoTime()} on the armed thread
 * throws, as any unexpected runtime failure inside the core's exchange would. Other threads (the
 * stats writer, the allow-list reloader) are not affected.
 */
final class FailingClock implements TimeSource {

  private final ManualTimeSource time;
  private volatile Thread armed;

  FailingClock(Instant start) {
    this.time = new ManualTimeSource(start);
  }

  /** The next {@link #nanoTime()} on the calling thread throws. */
  void failNextNanoTimeOnThisThread() {
    armed = Thread.currentThread();
  }

  @Override
  public Instant now() {
    return time.now();
  }

  @Override
  public long nanoTime() {
    if (armed == Thread.currentThread()) {
      armed = null;
      throw new IllegalStateException("clock failed");
    }
    return time.nanoTime();
  }
}
