package ai.numio.lmgate.stats;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.config.LMGateConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage records to a JSONL file from one background thread (SPEC §5 "Writing").
 *
 * <p>Request threads call {@link #offer}, which never blocks: records go to a bounded queue, and
 * when it is full they are dropped and counted. The writer thread drains the queue every flush
 * interval, or sooner once {@value #WAKE_BATCH} records have arrived, and appends them as whole
 * lines. A failed write keeps its records and retries them at the next flush; the file rotates by
 * size; {@link #close()} writes everything still queued.
 */
public final class StatsWriter implements AutoCloseable {

  /** Name of the background thread. */
  public static final String THREAD_NAME = "lmgate-stats-writer";

  /** Records after which an offer wakes the writer before its interval is up. */
  static final int WAKE_BATCH = 1024;

  /** Records encoded and appended per write, bounding the memory held outside the queue. */
  static final int CHUNK_RECORDS = 4096;

  private static final Logger log = LoggerFactory.getLogger(StatsWriter.class);

  private final RotatingJsonlFile file;
  private final Duration flushInterval;
  private final long flushIntervalNanos;
  private final int queueCapacity;
  private final TimeSource time;
  private final ArrayBlockingQueue<UsageRecord> queue;
  private final int wakeEvery;

  private final AtomicLong accepted = new AtomicLong();
  private final LongAdder dropped = new LongAdder();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile Thread thread;

  /** Serializes writers: the background thread, {@link #flush()} callers and close. */
  private final ReentrantLock writeLock = new ReentrantLock();

  // Guarded by writeLock.
  private final List<UsageRecord> batch = new ArrayList<>();
  private final LineBuffer encoded = new LineBuffer();
  private final UsageRecordJson json = new UsageRecordJson(encoded);
  private String lastFailure;
  private long droppedReported;
  private long lastDropWarningNanos;
  private boolean droppedEverReported;

  // Written under writeLock, read by anyone.
  private volatile int encodedRecords;
  private volatile long written;

  /**
   * A writer for {@code outputPath}; call {@link #start()} to begin background writing.
   *
   * @param flushInterval how often the background thread writes (also the minimum spacing of
   *     queue-full warnings)
   * @param maxFileBytes the file is rotated before a write once it has reached this size
   * @param queueCapacity records held in memory before new ones are dropped
   * @param time names rotated files (UTC wall clock) and spaces warnings (monotonic clock)
   */
  public StatsWriter(
      Path outputPath,
      Duration flushInterval,
      long maxFileBytes,
      int queueCapacity,
      TimeSource time) {
    this(
        outputPath,
        flushInterval,
        maxFileBytes,
        queueCapacity,
        time,
        RotatingJsonlFile.DEFAULT_OPENER);
  }

  StatsWriter(
      Path outputPath,
      Duration flushInterval,
      long maxFileBytes,
      int queueCapacity,
      TimeSource time,
      RotatingJsonlFile.Opener opener) {
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flush interval must be positive, got " + flushInterval);
    }
    if (maxFileBytes <= 0) {
      throw new IllegalArgumentException("maxFileBytes must be positive, got " + maxFileBytes);
    }
    if (queueCapacity <= 0) {
      throw new IllegalArgumentException("queueCapacity must be positive, got " + queueCapacity);
    }
    this.file = new RotatingJsonlFile(outputPath, maxFileBytes, time, opener);
    this.flushInterval = flushInterval;
    this.flushIntervalNanos = flushInterval.toNanos();
    this.queueCapacity = queueCapacity;
    this.time = time;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.wakeEvery = Math.max(1, Math.min(WAKE_BATCH, queueCapacity / 2));
  }

  /** A writer configured by {@code stats.*}. */
  public static StatsWriter fromConfig(LMGateConfig.Stats stats, TimeSource time) {
    return new StatsWriter(
        stats.outputPath(),
        Duration.ofSeconds(stats.flushIntervalSeconds()),
        stats.maxFileBytes(),
        stats.queueCapacity(),
        time);
  }

  /** The file records are appended to (absolute). */
  public Path outputPath() {
    return file.path();
  }

  /**
   * Terminates an incomplete last line left by a crash and starts the background thread. Calling it
   * again, or after {@link #close()}, does nothing.
   */
  public void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      return;
    }
    writeLock.lock();
    try {
      file.prepare();
    } catch (IOException | RuntimeException e) {
      recordFailure(e); // not fatal: the first flush retries
    } finally {
      file.close();
      writeLock.unlock();
    }
    Thread t = new Thread(this::runLoop, THREAD_NAME);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /**
   * Queues a record for writing. Never blocks and never throws; returns false if the record was
   * dropped (queue full, writer closed, or a null record), which {@link #droppedCount()} counts.
   */
  public boolean offer(UsageRecord record) {
    if (record == null || closed.get()) {
      dropped.increment();
      return false;
    }
    if (!queue.offer(record)) {
      dropped.increment();
      return false;
    }
    if (closed.get() && queue.remove(record)) {
      // close() raced this offer; its final flush did not take the record, so nobody will.
      dropped.increment();
      return false;
    }
    if (accepted.incrementAndGet() % wakeEvery == 0) {
      Thread t = thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
    return true;
  }

  /**
   * Writes every record queued when called, on the calling thread, waiting for a write in progress
   * on another thread. Failures are logged, not thrown; unwritten records stay pending.
   */
  public void flush() {
    writeLock.lock();
    try {
      flushLocked(false);
    } finally {
      writeLock.unlock();
    }
  }

  /** Stops the background thread and writes everything still queued; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopping = true;
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true; // finish writing first; re-assert below
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    writeLock.lock();
    try {
      flushLocked(true);
      long lost = pendingCount();
      if (lost > 0) {
        log.error(
            "Closing with {} usage records not written to {}; see the error above",
            lost,
            file.path());
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Records written to the file since creation. */
  public long writtenCount() {
    return written;
  }

  /** Records dropped: queue full, offered after close, or null. */
  public long droppedCount() {
    return dropped.sum();
  }

  /** Records accepted but not yet written: queued, or held after a failed write. */
  public long pendingCount() {
    return (long) queue.size() + encodedRecords;
  }

  private void runLoop() {
    while (!stopping) {
      LockSupport.parkNanos(this, flushIntervalNanos);
      Thread.interrupted(); // nobody should interrupt us; a set flag would make park spin
      if (stopping) {
        return; // close() writes the rest
      }
      try {
        flush();
      } catch (RuntimeException e) {
        log.error("Unexpected failure while writing usage records to {}", file.path(), e);
      }
    }
  }

  private void flushLocked(boolean closing) {
    try {
      // Only what is queued now: under sustained load a flush must still end.
      int budget = queue.size();
      boolean ok = encodedRecords == 0 || writeEncoded();
      while (ok && budget > 0) {
        int n = queue.drainTo(batch, Math.min(CHUNK_RECORDS, budget));
        if (n == 0) {
          break;
        }
        budget -= n;
        encode();
        ok = writeEncoded();
      }
    } finally {
      file.close();
      reportDrops(closing);
    }
  }

  private void encode() {
    try {
      for (UsageRecord r : batch) {
        json.write(r);
      }
      json.flush();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory JSON encoding failed", e); // cannot happen
    }
    encodedRecords = batch.size();
    batch.clear();
  }

  /** Appends the encoded chunk; on failure keeps it for the next flush. */
  private boolean writeEncoded() {
    try {
      file.append(encoded.bytes());
    } catch (IOException | RuntimeException e) {
      recordFailure(e);
      return false;
    }
    written += encodedRecords;
    encodedRecords = 0;
    encoded.reset();
    if (lastFailure != null) {
      log.info("Writing usage records to {} works again", file.path());
      lastFailure = null;
    }
    return true;
  }

  private void recordFailure(Exception e) {
    String cause = describe(e);
    if (!cause.equals(lastFailure)) {
      log.error(
          "Cannot write usage records to {}: {}. Records are kept and retried at every flush"
              + " (queue capacity {}, {} pending); requests are not affected.",
          file.path(),
          cause,
          queueCapacity,
          pendingCount());
      lastFailure = cause;
    }
  }

  private void reportDrops(boolean closing) {
    long total = dropped.sum();
    long since = total - droppedReported;
    if (since == 0) {
      return;
    }
    long now = time.nanoTime();
    if (!closing && droppedEverReported && now - lastDropWarningNanos < flushIntervalNanos) {
      return;
    }
    log.warn(
        "Usage queue full (capacity {}): dropped {} records since the last warning, {} in total;"
            + " the writer to {} is falling behind",
        queueCapacity,
        since,
        total,
        file.path());
    droppedReported = total;
    lastDropWarningNanos = now;
    droppedEverReported = true;
  }

  /** The operator-facing reason of an I/O failure. */
  static String describe(Exception e) {
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " exists and is not a directory";
    }
    if (e instanceof NotDirectoryException n) {
      return n.getFile() + " is not a directory";
    }
    if (e instanceof AccessDeniedException a) {
      return "permission denied on " + a.getFile();
    }
    if (e instanceof NoSuchFileException n) {
      return n.getFile() + " does not exist";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  @Override
  public String toString() {
    return "StatsWriter[" + file.path() + ", every " + flushInterval + "]";
  }

  /** A byte buffer whose content can be handed to a channel without copying. */
  private static final class LineBuffer extends ByteArrayOutputStream {
    LineBuffer() {
      super(1 << 16);
    }

    ByteBuffer bytes() {
      return ByteBuffer.wrap(buf, 0, count);
    }
  }
}
