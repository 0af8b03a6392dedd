package ai.numio.lmgate.cost;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.files.ReloadingFile;
import ai.numio.lmgate.files.WatchedFileKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.LoggerFactory;

/**
 * The operator's price file ({@code pricing.path}), reloaded when it changes (SPEC-2 §13): a {@link
 * ReloadingFile} of {@link PriceTable}, with the allow-list's guarantees (one volatile immutable
 * table; a file rewritten in pieces, a corrupt edit, a deletion keep the previous table and log one
 * ERROR naming file and line; atomic renames and ConfigMap symlink swaps seen).
 */
public final class ReloadingPriceTable {

  private static final WatchedFileKind<PriceTable, PriceTableException> KIND =
      new WatchedFileKind<>(
          "Price table",
          "table",
          "entries",
          "pricing.path",
          PriceTableLoader::parse,
          problem -> new PriceTableException(List.of(problem)),
          table -> table.entries().size(),
          LoggerFactory.getLogger(ReloadingPriceTable.class));

  private final ReloadingFile<PriceTable> file;

  private ReloadingPriceTable(ReloadingFile<PriceTable> file) {
    this.file = file;
  }

  /**
   * Loads the file; a missing, unreadable or invalid file fails the start.
   *
   * @param time the clock that decides whether a file was modified recently
   * @throws PriceTableException naming the file and line of every problem
   */
  public static ReloadingPriceTable open(Path file, TimeSource time) throws PriceTableException {
    return open(file, time, Files::readAllBytes);
  }

  static ReloadingPriceTable open(Path file, TimeSource time, ReloadingFile.ContentReader reader)
      throws PriceTableException {
    return new ReloadingPriceTable(ReloadingFile.open(KIND, file, time, reader));
  }

  /** The table now in force. */
  public PriceTable current() {
    return file.current();
  }

  /** The file the table is loaded from. */
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
}
