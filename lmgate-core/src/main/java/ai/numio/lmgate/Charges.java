package ai.numio.lmgate;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where finished exchanges' charges run. For a store in this process, at once on the finishing
 * thread; for a remote store ({@link ai.numio.lmgate.limit.LimitStore#remote()}), on a thread of
 * its own, so that no client waits for a Redis round trip after its response: the charge decides
 * nothing for the request that caused it. Nothing is ever dropped: when the queue is full the
 * finishing thread charges itself, and {@link #close()} runs every charge still queued.
 */
final class Charges implements AutoCloseable {

  static final String THREAD_NAME = "lmgate-limit-charger";

  /** Charges waiting before finishing threads charge themselves. */
  static final int CAPACITY = 65_536;

  private static final Logger log = LoggerFactory.getLogger(Charges.class);
  private static final Runnable STOP = () -> {};

  private final BlockingQueue<Runnable> queue;
  private final Thread thread;
  private volatile boolean closed;

  private Charges(boolean background) {
    if (background) {
      queue = new ArrayBlockingQueue<>(CAPACITY);
      thread = new Thread(this::run, THREAD_NAME);
      thread.setDaemon(true);
      thread.start();
    } else {
      queue = null;
      thread = null;
    }
  }

  /** Charges on the finishing thread. */
  static Charges inline() {
    return new Charges(false);
  }

  /** Charges on a thread of its own. */
  static Charges background() {
    return new Charges(true);
  }

  /** Runs {@code charge} now or soon; it must not throw. */
  void submit(Runnable charge) {
    if (queue == null || closed || !queue.offer(charge)) {
      charge.run();
    }
  }

  /** Charges waiting in the queue. */
  int pending() {
    return queue == null ? 0 : queue.size();
  }

  private void run() {
    while (true) {
      Runnable charge;
      try {
        charge = queue.take();
      } catch (InterruptedException e) {
        continue; // only close() stops us, with STOP
      }
      if (charge == STOP) {
        return;
      }
      try {
        charge.run();
      } catch (RuntimeException e) {
        log.error("A limit charge failed unexpectedly", e);
      }
    }
  }

  /**
   * Runs every queued charge, then stops the thread (waiting up to 10 s). Later submissions run on
   * the caller's thread.
   */
  @Override
  public void close() {
    if (thread == null || closed) {
      return;
    }
    closed = true;
    try {
      queue.put(STOP);
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{} limit charges still queued after 10 s; they are not counted", queue.size());
    }
  }
}
