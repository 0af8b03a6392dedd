package ai.numio.lmgate.policy;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.files.ReloadingFile;
import ai.numio.lmgate.files.WatchedFileKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The policy file ({@code policy.path}), reloaded when it changes with the allow-list's guarantees
 * ({@link ReloadingFile}: a file rewritten in pieces, a corrupt edit or a deletion keep the
 * previous policies and log one ERROR naming file and line; atomic renames and ConfigMap symlink
 * swaps are seen). Without a file, {@link Policies#NONE} for ever.
 */
public final class PolicyFile implements Supplier<Policies> {

  private final ReloadingFile<Policies> file;

  private PolicyFile(ReloadingFile<Policies> file) {
    this.file = file;
  }

  private static WatchedFileKind<Policies, PolicyException> kind(Set<String> routeNames) {
    return new WatchedFileKind<>(
        "Policy file",
        "policies",
        "rules",
        "policy.path",
        (content, source) -> PolicyLoader.parse(content, source, routeNames),
        PolicyException::new,
        Policies::size,
        LoggerFactory.getLogger(PolicyFile.class));
  }

  /**
   * Loads the file; a missing or invalid file fails the start.
   *
   * @param routeNames the configured routes, to warn about a route name in the file none has
   * @throws PolicyException naming every problem
   */
  public static PolicyFile open(Path file, TimeSource time, Set<String> routeNames) {
    return open(file, time, routeNames, Files::readAllBytes);
  }

  static PolicyFile open(
      Path file, TimeSource time, Set<String> routeNames, ReloadingFile.ContentReader reader) {
    return new PolicyFile(ReloadingFile.open(kind(routeNames), file, time, reader));
  }

  /** The policies in force now. */
  @Override
  public Policies get() {
    return file.current();
  }

  /** Checks the file now; true if new policies were swapped in. */
  public boolean reloadIfChanged() {
    return file.reloadIfChanged();
  }

  /** Checks the file every {@code interval} on {@code executor}. */
  public void schedule(ScheduledExecutorService executor, Duration interval) {
    file.schedule(executor, interval);
  }
}
