package ai.numio.lmgate.files;

import ai.numio.lmgate.TimeSource;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A file an operator edits while the gateway runs (the allow-list, the price table, the policy
 * file), reloaded when it changes. Requests read {@link #current()}, one volatile reference to an
 * immutable value; a reload swaps it whole, so in-flight requests are unaffected.
 *
 * <p>{@link #reloadIfChanged()} compares the file's modification time, size and identity with the
 * last read, following symbolic links. A valid new file replaces the value. An invalid, unreadable
 * or deleted file keeps the previous value and logs an ERROR naming the problem, once per distinct
 * problem; an INFO follows when the file is good again.
 *
 * <p>A changed file is read only once it has settled: modified at least {@value #RECENT_SECONDS}
 * seconds ago, or (for a file whose time is ahead of the clock) unchanged for that long since a
 * check first saw it. A program that rewrites the file in place truncates it and writes it in
 * several pieces; a check in between would otherwise load a prefix of the new file (for the
 * allow-list: refusing every key after the cut and accepting the fragment of a key cut in half). A
 * file that changes while being read is read again at the next check. A file modified within
 * {@value #RECENT_SECONDS} seconds of being read is read again at the next check too, since a
 * second same-size write within the file system's timestamp granularity would leave the stamp
 * unchanged; the content is compared, so such a re-read that finds nothing new is silent.
 */
public final class ReloadingFile<T> {

  /** How long a modification must lie in the past before the file is read. */
  public static final int RECENT_SECONDS = 2;

  private static final int START_ATTEMPTS = 3;

  /** Reads the file's bytes; a seam for tests. */
  @FunctionalInterface
  public interface ContentReader {
    byte[] read(Path file) throws IOException;
  }

  private final WatchedFileKind<T, ?> kind;
  private final Path file;
  private final TimeSource time;
  private final ContentReader reader;

  private volatile T current;

  // Guarded by this.
  private FileStamp loadedStamp;
  private FileStamp rejectedStamp;
  private boolean lastReadWasRecent;
  private byte[] loadedContentDigest = new byte[0];
  private String lastFailure;
  private final java.util.concurrent.atomic.AtomicLong failures =
      new java.util.concurrent.atomic.AtomicLong();
  private FileStamp unsettledStamp;
  private Instant unsettledSince = Instant.MIN;

  private ReloadingFile(
      WatchedFileKind<T, ?> kind, Path file, TimeSource time, ContentReader reader) {
    this.kind = Objects.requireNonNull(kind);
    this.file = Objects.requireNonNull(file);
    this.time = Objects.requireNonNull(time);
    this.reader = Objects.requireNonNull(reader);
  }

  /**
   * Loads the file; a missing, unreadable or invalid file fails the start with the kind's
   * exception, naming every problem.
   */
  public static <T, E extends Exception> ReloadingFile<T> open(
      WatchedFileKind<T, E> kind, Path file, TimeSource time, ContentReader reader) throws E {
    ReloadingFile<T> loaded = new ReloadingFile<>(kind, file, time, reader);
    loaded.current = loaded.loadAtStart(kind);
    return loaded;
  }

  /** As {@link #open(WatchedFileKind, Path, TimeSource, ContentReader)}, reading the file whole. */
  public static <T, E extends Exception> ReloadingFile<T> open(
      WatchedFileKind<T, E> kind, Path file, TimeSource time) throws E {
    return open(kind, file, time, Files::readAllBytes);
  }

  /**
   * Failed reloads since start: each distinct problem counted once (a file that stays bad is not
   * counted again at every poll).
   */
  public long failureCount() {
    return failures.get();
  }

  /** The value now in force. */
  public T current() {
    return current;
  }

  /** The file the value is loaded from. */
  public Path file() {
    return file;
  }

  /**
   * Checks the file and reloads it if it changed. Never throws for file problems: they are logged
   * and the previous value stays.
   *
   * @return true if a new value was swapped in
   */
  public synchronized boolean reloadIfChanged() {
    FileStamp before;
    try {
      before = FileStamp.of(file);
    } catch (IOException e) {
      failed(describe(file, e));
      return false;
    }
    if (!lastReadWasRecent) {
      if (before.equals(loadedStamp)) {
        recovered();
        return false;
      }
      if (before.equals(rejectedStamp)) {
        return false;
      }
    }
    if (!settled(before)) {
      kind.log()
          .debug(
              "{} {} was modified a moment ago; reading it once it has settled",
              kind.label(),
              file);
      return false;
    }
    byte[] content;
    FileStamp after;
    try {
      content = reader.read(file);
      after = FileStamp.of(file);
    } catch (IOException e) {
      failed(describe(file, e));
      return false;
    }
    if (!before.equals(after)) {
      kind.log()
          .debug(
              "{} {} changed while being read; reading it again at the next check",
              kind.label(),
              file);
      return false;
    }
    lastReadWasRecent = isRecent(before);
    byte[] contentDigest = sha256(content);
    if (MessageDigest.isEqual(contentDigest, loadedContentDigest)) {
      loadedStamp = before;
      rejectedStamp = null;
      recovered();
      return false;
    }
    T next;
    try {
      next = kind.parser().parse(content, file.toString());
    } catch (Exception e) {
      rejectedStamp = before;
      failed(String.valueOf(e.getMessage()));
      return false;
    }
    int previousSize = kind.count().applyAsInt(current);
    current = next;
    loadedStamp = before;
    rejectedStamp = null;
    loadedContentDigest = contentDigest;
    kind.log()
        .info(
            "{} {} reloaded: {} {} (before: {}){}",
            kind.label(),
            file,
            kind.count().applyAsInt(next),
            kind.unit(),
            previousSize,
            lastFailure == null ? "" : "; the earlier problem is fixed");
    lastFailure = null;
    return true;
  }

  /**
   * Runs {@link #reloadIfChanged()} on {@code executor} every {@code interval} (after the previous
   * check ends). An unexpected exception is logged and does not stop later checks. Cancel the
   * returned future (or shut the executor down) to stop.
   */
  public ScheduledFuture<?> schedule(ScheduledExecutorService executor, Duration interval) {
    long millis = interval.toMillis();
    if (millis <= 0) {
      throw new IllegalArgumentException("poll interval must be positive, got " + interval);
    }
    return executor.scheduleWithFixedDelay(
        this::reloadIfChangedLoggingErrors, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** One scheduled check; an exception escaping would silently cancel all later ones. */
  public void reloadIfChangedLoggingErrors() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      synchronized (this) {
        String problem = file + ": unexpected error while reloading (" + e + ")";
        if (!problem.equals(lastFailure)) {
          lastFailure = problem;
          failures.incrementAndGet();
          kind.log()
              .error(
                  "{} not reloaded; keeping the previous {}: {}",
                  kind.label(),
                  kind.thing(),
                  problem,
                  e);
        }
      }
    }
  }

  /** An operator's description of why {@code file} could not be read or examined. */
  private String describe(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return file + ": file not found";
    }
    if (e instanceof AccessDeniedException) {
      return file + ": permission denied; the gateway's user must be able to read it";
    }
    if (Files.isDirectory(file)) {
      return file + ": is a directory; " + kind.setting() + " must name a file";
    }
    return file + ": cannot be read (" + e + ")";
  }

  private <E extends Exception> T loadAtStart(WatchedFileKind<T, E> kind) throws E {
    for (int attempt = 1; ; attempt++) {
      FileStamp before;
      byte[] content;
      try {
        before = FileStamp.of(file);
        content = reader.read(file);
      } catch (IOException e) {
        throw kind.failure().apply(describe(file, e));
      }
      FileStamp after;
      try {
        after = FileStamp.of(file);
      } catch (IOException e) {
        after = null;
      }
      boolean stable = before.equals(after);
      if (!stable && attempt < START_ATTEMPTS) {
        continue;
      }
      T loaded = kind.parser().parse(content, file.toString());
      synchronized (this) {
        // A file still changing is accepted if valid, and read again at the first check.
        loadedStamp = stable ? before : null;
        lastReadWasRecent = isRecent(before);
        loadedContentDigest = sha256(content);
      }
      kind.log()
          .info(
              "{} {} loaded: {} {}",
              kind.label(),
              file,
              kind.count().applyAsInt(loaded),
              kind.unit());
      return loaded;
    }
  }

  /**
   * Whether the file is done being written, as far as a check can tell: modified at least {@value
   * #RECENT_SECONDS} seconds ago, or seen with this same stamp at least that long ago.
   */
  private boolean settled(FileStamp stamp) {
    if (!isRecent(stamp)) {
      return true;
    }
    Instant now = time.now();
    if (!stamp.equals(unsettledStamp)) {
      unsettledStamp = stamp;
      unsettledSince = now;
      return false;
    }
    return !now.isBefore(unsettledSince.plusSeconds(RECENT_SECONDS));
  }

  private boolean isRecent(FileStamp stamp) {
    Instant modified = stamp.modified().toInstant();
    return modified.isAfter(time.now().minusSeconds(RECENT_SECONDS));
  }

  private void failed(String problem) {
    if (problem.equals(lastFailure)) {
      return;
    }
    lastFailure = problem;
    failures.incrementAndGet();
    kind.log()
        .error(
            "{} not reloaded; keeping the previous {} of {} {}: {}",
            kind.label(),
            kind.thing(),
            kind.count().applyAsInt(current),
            kind.unit(),
            problem);
  }

  private void recovered() {
    if (lastFailure != null) {
      lastFailure = null;
      kind.log()
          .info(
              "{} {} is readable and valid again; the {} is unchanged ({} {})",
              kind.label(),
              file,
              kind.thing(),
              kind.count().applyAsInt(current),
              kind.unit());
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
