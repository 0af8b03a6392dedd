package ai.numio.lmgate;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exchanges begun whose record is not written yet, so that closing the core writes theirs too:
 * after a server stops, the exchanges it cut are still ending on other threads (an aborted upstream
 * request reports its failure asynchronously), and their records must not come after the stats
 * writer closed.
 */
final class OpenExchanges {

  private final Map<String, AtomicInteger> byRoute;
  private int open;

  /** Open exchanges counted per route too: one counter for each name, fixed at start. */
  OpenExchanges(Collection<String> routes) {
    Map<String, AtomicInteger> counters = new TreeMap<>();
    for (String route : routes) {
      counters.put(route, new AtomicInteger());
    }
    byRoute = Map.copyOf(counters);
  }

  /** The counter of a route's open exchanges (one of the names given at start). */
  AtomicInteger route(String name) {
    AtomicInteger counter = byRoute.get(name);
    if (counter == null) {
      throw new IllegalArgumentException("no route counter for '" + name + "'");
    }
    return counter;
  }

  /** Open exchanges per route now, by name, zeros included. */
  Map<String, Integer> byRoute() {
    Map<String, Integer> counts = new TreeMap<>();
    byRoute.forEach((name, count) -> counts.put(name, count.get()));
    return counts;
  }

  void opened(AtomicInteger route) {
    route.incrementAndGet();
    opened();
  }

  void ended(AtomicInteger route) {
    route.decrementAndGet();
    ended();
  }

  private synchronized void opened() {
    open++;
  }

  private synchronized void ended() {
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
