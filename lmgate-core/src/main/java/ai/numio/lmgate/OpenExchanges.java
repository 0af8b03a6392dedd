package ai.numio.lmgate;

import java.time.Duration;

/**
 * The exchanges begun whose record is not written yet, so that closing the core writes theirs too:
 * after a server stops, the exchanges it cut are still ending on other threads (an aborted upstream
 * request reports its failure asynchronously), and their records must not come after the stats
 * writer closed.
 */
final class OpenExchanges {

  private int open;

  synchronized void opened() {
    open++;
  }

  synchronized void ended() {
    open--;
    if (open == 0) {
      notifyAll();
    }
  }

  synchronized int count() {
    return open;
  }

  /** Waits until every exchange has ended, or {@code limit} has passed; true if none is open. */
  synchronized boolean awaitNone(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (open > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
