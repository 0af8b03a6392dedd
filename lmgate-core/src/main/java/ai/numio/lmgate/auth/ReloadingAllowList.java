package ai.numio.lmgate.auth;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.files.ReloadingFile;
import ai.numio.lmgate.files.WatchedFileKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.LoggerFactory;

/**
 * The allow-list file, reloaded when it changes (SPEC §4): a {@link ReloadingFile} of {@link
 * AllowList}, with its guarantees (one volatile immutable table; a file rewritten in pieces, a
 * corrupt edit, a deletion keep the previous table; atomic renames and ConfigMap symlink swaps
 * seen).
 */
public final class ReloadingAllowList {

  static final int RECENT_SECONDS = ReloadingFile.RECENT_SECONDS;

  private static WatchedFileKind<AllowList, AllowListException> kind(
      AllowListLoader.ReferenceCheck references) {
    return new WatchedFileKind<>(
        "Allow-list",
        "table",
        "entries",
        "auth.allowlist_path",
        (content, source) -> AllowListLoader.parse(content, source, references),
        AllowListException::new,
        AllowList::size,
        LoggerFactory.getLogger(ReloadingAllowList.class));
  }

  /** Reads the file's bytes; a seam for tests. */
  @FunctionalInterface
  interface ContentReader extends ReloadingFile.ContentReader {}

  private final ReloadingFile<AllowList> file;

  private ReloadingAllowList(ReloadingFile<AllowList> file) {
    this.file = file;
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

  /**
   * Like {@link #open(Path, TimeSource)}, resolving each row's {@code upstream_key} through {@code
   * references}, at start and at every reload: a row whose provider key cannot be found makes the
   * file invalid (at a reload, the previous table stays).
   */
  public static ReloadingAllowList open(
      Path file, TimeSource time, AllowListLoader.ReferenceCheck references)
      throws AllowListException {
    return new ReloadingAllowList(
        ReloadingFile.open(kind(references), file, time, Files::readAllBytes));
  }

  static ReloadingAllowList open(Path file, TimeSource time, ContentReader reader)
      throws AllowListException {
    return new ReloadingAllowList(
        ReloadingFile.open(kind(AllowListLoader.FORM_ONLY), file, time, reader));
  }

  /** The table now in force. */
  public AllowList current() {
    return file.current();
  }

  /**
   * Failed reloads since start, each distinct problem once ({@link ReloadingFile#failureCount}).
   */
  public long reloadErrorCount() {
    return file.failureCount();
  }

  /** The file this table is loaded from. */
  public Path file() {
    return file.file();
  }

  /**
   * Checks the file and reloads it if it changed; never throws for file problems.
   *
   * @return true if a new table was swapped in
   */
  public boolean reloadIfChanged() {
    return file.reloadIfChanged();
  }

  /** Checks the file every {@code interval} on {@code executor}; see {@link ReloadingFile}. */
  public ScheduledFuture<?> schedule(ScheduledExecutorService executor, Duration interval) {
    return file.schedule(executor, interval);
  }

  void reloadIfChangedLoggingErrors() {
    file.reloadIfChangedLoggingErrors();
  }
}
