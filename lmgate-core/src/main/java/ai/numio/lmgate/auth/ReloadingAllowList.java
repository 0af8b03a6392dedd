package ai.numio.lmgate.auth;

import ai.numio.lmgate.TimeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allow-list file, reloaded when it changes (SPEC §4). Requests read {@link #current()}, one
 * volatile reference to an immutable {@link AllowList}; a reload swaps it whole, so in-flight
 * requests are unaffected.
 *
 * <p>{@link #reloadIfChanged()} compares the file's modification time, size and identity with the
 * last read, following symbolic links. A valid new file replaces the table. An invalid, unreadable
 * or deleted file keeps the previous table and logs an ERROR naming the problem, once per distinct
 * problem; an INFO follows when the file is good again.
 *
 * <p>A changed file is read only once it has settled: modified at least {@value #RECENT_SECONDS}
 * seconds ago, or (for a file whose time is ahead of the clock) unchanged for that long since a
 * check first saw it. A program that rewrites the file in place truncates it and writes it in
 * several pieces; a check in between would otherwise load a prefix of the new list, refusing every
 * key after the cut and accepting the fragment of a key cut in half. A file that changes while
 * being read is read again at the next check. A file modified within {@value #RECENT_SECONDS}
 * seconds of being read is read again at the next check too, since a second same-size write within
 * the file system's timestamp granularity would leave the stamp unchanged; the content is compared,
 * so such a re-read that finds nothing new is silent.
 */
public final class ReloadingAllowList {

  private static final Logger LOG = LoggerFactory.getLogger(ReloadingAllowList.class);

  static final int RECENT_SECONDS = 2;
  private static final int START_ATTEMPTS = 3;

  /** Reads the file's bytes; a seam for tests. */
  @FunctionalInterface
  interface ContentReader {
    byte[] read(Path file) throws IOException;
  }

  private final Path file;
  private final TimeSource time;
  private final ContentReader reader;

  private volatile AllowList current = AllowList.empty();

  // Guarded by this.
  private FileStamp loadedStamp;
  private FileStamp rejectedStamp;
  private boolean lastReadWasRecent;
  private byte[] loadedContentDigest = new byte[0];
  private String lastFailure;
  private FileStamp unsettledStamp;
  private Instant unsettledSince = Instant.MIN;

  private ReloadingAllowList(Path file, TimeSource time, ContentReader reader) {
    this.file = Objects.requireNonNull(file);
    this.time = Objects.requireNonNull(time);
    this.reader = Objects.requireNonNull(reader);
  }

  /**
   * Loads the file; a missing or invalid file fails the start.
   *
   * @throws AllowListException naming every problem
   */
  public static ReloadingAllowList open(Path file) throws AllowListException {
    return open(file, TimeSource.system());
  }

  /** Like {@link #open(Path)}, with the clock that decides whether a file was modified recently. */
  public static ReloadingAllowList open(Path file, TimeSource time) throws AllowListException {
    return open(file, time, Files::readAllBytes);
  }

  static ReloadingAllowList open(Path file, TimeSource time, ContentReader reader)
      throws AllowListException {
    ReloadingAllowList allowList = new ReloadingAllowList(file, time, reader);
    allowList.loadAtStart();
    return allowList;
  }

  /** The table now in force. */
  public AllowList current() {
    return current;
  }

  /** The file this table is loaded from. */
  public Path file() {
    return file;
  }

  /**
   * Checks the file and reloads it if it changed. Never throws for file problems: they are logged
   * and the previous table stays.
   *
   * @return true if a new table was swapped in
   */
  public synchronized boolean reloadIfChanged() {
    FileStamp before;
    try {
      before = FileStamp.of(file);
    } catch (IOException e) {
      failed(AllowListLoader.describe(file, e));
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
      LOG.debug("Allow-list {} was modified a moment ago; reading it once it has settled", file);
      return false;
    }
    byte[] content;
    FileStamp after;
    try {
      content = reader.read(file);
      after = FileStamp.of(file);
    } catch (IOException e) {
      failed(AllowListLoader.describe(file, e));
      return false;
    }
    if (!before.equals(after)) {
      LOG.debug("Allow-list {} changed while being read; reading it again at the next check", file);
      return false;
    }
    lastReadWasRecent = isRecent(before);
    byte[] contentDigest = KeyDigest.newSha256().digest(content);
    if (MessageDigest.isEqual(contentDigest, loadedContentDigest)) {
      loadedStamp = before;
      rejectedStamp = null;
      recovered();
      return false;
    }
    AllowList next;
    try {
      next = AllowListLoader.parse(content, file.toString());
    } catch (AllowListException e) {
      rejectedStamp = before;
      failed(e.getMessage());
      return false;
    }
    int previousSize = current.size();
    current = next;
    loadedStamp = before;
    rejectedStamp = null;
    loadedContentDigest = contentDigest;
    LOG.info(
        "Allow-list {} reloaded: {} entries (before: {}){}",
        file,
        next.size(),
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
  void reloadIfChangedLoggingErrors() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      synchronized (this) {
        String problem = file + ": unexpected error while reloading (" + e + ")";
        if (!problem.equals(lastFailure)) {
          lastFailure = problem;
          LOG.error("Allow-list not reloaded; keeping the previous table: {}", problem, e);
        }
      }
    }
  }

  private void loadAtStart() throws AllowListException {
    for (int attempt = 1; ; attempt++) {
      FileStamp before;
      byte[] content;
      try {
        before = FileStamp.of(file);
        content = reader.read(file);
      } catch (IOException e) {
        throw new AllowListException(AllowListLoader.describe(file, e));
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
      AllowList loaded = AllowListLoader.parse(content, file.toString());
      synchronized (this) {
        current = loaded;
        // A file still changing is accepted if valid, and read again at the first check.
        loadedStamp = stable ? before : null;
        lastReadWasRecent = isRecent(before);
        loadedContentDigest = KeyDigest.newSha256().digest(content);
      }
      LOG.info("Allow-list {} loaded: {} entries", file, loaded.size());
      return;
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
    LOG.error(
        "Allow-list not reloaded; keeping the previous table of {} entries: {}",
        current.size(),
        problem);
  }

  private void recovered() {
    if (lastFailure != null) {
      lastFailure = null;
      LOG.info(
          "Allow-list {} is readable and valid again; the table is unchanged ({} entries)",
          file,
          current.size());
    }
  }
}
