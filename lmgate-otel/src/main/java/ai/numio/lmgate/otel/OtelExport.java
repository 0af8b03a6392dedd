package ai.numio.lmgate.otel;

import ai.numio.lmgate.stats.RecordObserver;
import ai.numio.lmgate.stats.UsageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry export as the core sees it: a {@link RecordObserver} that only hands each
 * record to a bounded queue (a request thread never builds a span, never waits: when the queue is
 * full the record is dropped and counted), and one thread, {@code lmgate-otel}, that turns records
 * into spans and metric points. {@link #close()} turns what is queued into spans and sends
 * everything.
 */
final class OtelExport implements RecordObserver, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OtelExport.class);

  /** How long the thread waits for a record before it looks at the drop counter again. */
  private static final long POLL_MILLIS = 1000;

  private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final int BATCH = 256;

  /** How long {@link #close()} waits for the SDK to send what it holds. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** One record waiting: the observer's two arguments. */
  private record Pending(UsageRecord record, long overheadNanos) {}

  private final BlockingQueue<Pending> queue;
  private final int capacity;
  private final Telemetry telemetry;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong exported = new AtomicLong();
  private final LongSupplier nanoTime;
  private final Thread worker;
  private volatile boolean closing;
  private boolean closed;
  private long droppedLogged;
  private long lastDropLog;
  private boolean emitFailureLogged;

  private OtelExport(Telemetry telemetry, int capacity, LongSupplier nanoTime) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.capacity = capacity;
    this.telemetry = telemetry;
    this.nanoTime = nanoTime;
    this.lastDropLog = nanoTime.getAsLong() - DROP_LOG_INTERVAL_NANOS;
    this.worker = new Thread(this::run, "lmgate-otel");
    worker.setDaemon(true);
  }

  /** Starts the thread that turns queued records into telemetry. */
  static OtelExport start(Telemetry telemetry, int capacity) {
    return start(telemetry, capacity, System::nanoTime);
  }

  /** As {@link #start(Telemetry, int)}, on the given clock (spacing of the drop warnings). */
  static OtelExport start(Telemetry telemetry, int capacity, LongSupplier nanoTime) {
    OtelExport export = new OtelExport(telemetry, capacity, nanoTime);
    export.worker.start();
    return export;
  }

  /** Queues the record; never blocks: a full queue drops it (counted, logged by the thread). */
  @Override
  public void recorded(UsageRecord record, long overheadNanos) {
    if (!queue.offer(new Pending(record, overheadNanos))) {
      dropped.incrementAndGet();
    }
  }

  /** Records dropped because the queue was full, since start. */
  long droppedCount() {
    return dropped.get();
  }

  /** Records turned into a span and metric points, since start. */
  long exportedCount() {
    return exported.get();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        Pending first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, BATCH - 1);
          emit(batch);
          batch.clear();
        }
      } catch (InterruptedException e) {
        // close() wakes the thread: what is queued is emitted below
      }
      reportDrops();
      if (closing) {
        queue.drainTo(batch);
        emit(batch);
        reportDrops();
        return;
      }
    }
  }

  private void emit(List<Pending> batch) {
    for (Pending pending : batch) {
      try {
        telemetry.emit(pending.record(), pending.overheadNanos());
        exported.incrementAndGet();
      } catch (RuntimeException e) {
        if (!emitFailureLogged) {
          emitFailureLogged = true;
          log.error(
              "OpenTelemetry: a record could not become a span and metric points; such failures"
                  + " are not logged again and requests are not affected",
              e);
        }
      }
    }
  }

  private void reportDrops() {
    long total = dropped.get();
    long now = nanoTime.getAsLong();
    if (total > droppedLogged && (closing || now - lastDropLog >= DROP_LOG_INTERVAL_NANOS)) {
      log.warn(
          "OpenTelemetry: {} records were not exported, their queue (otel.queue_capacity: {}) being"
              + " full ({} since start); requests are not affected. Raise otel.queue_capacity, or"
              + " check the collector",
          total - droppedLogged,
          capacity,
          total);
      droppedLogged = total;
      lastDropLog = now;
    }
  }

  /**
   * Emits what is still queued, then sends every span and the metrics' latest values (waiting at
   * most {@link #CLOSE_WAIT}) and stops. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closing = true;
    worker.interrupt();
    try {
      worker.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!telemetry.shutdown(CLOSE_WAIT)) {
      log.warn(
          "OpenTelemetry: not everything could be sent to the collector within {} s at shutdown",
          CLOSE_WAIT.toSeconds());
    }
  }
}
