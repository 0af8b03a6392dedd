package ai.numio.lmgate.providerkey;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.files.ReloadingFile;
import ai.numio.lmgate.files.WatchedFileKind;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The provider keys the gateway holds (SPEC-2 §15), by reference: an {@code env:} reference is read
 * once, when first resolved; a {@code file:} reference is a {@link ReloadingFile}, re-read when the
 * file changes (a Kubernetes secret mount swaps a symlink; an operator rewrites the file). A key
 * file that disappears, becomes unreadable or empty later keeps the last key and logs one ERROR
 * naming the file (never the key); an INFO follows when it is good again.
 *
 * <p>Resolved references stay resolved: requests read {@link #value} without locking. Safe from any
 * thread.
 */
public final class ProviderKeys {

  private static final WatchedFileKind<ProviderKey, ProviderKeyException> FILE_KIND =
      new WatchedFileKind<>(
          "Provider key file",
          "key",
          "key",
          "upstream_key",
          ProviderKeys::parseFile,
          ProviderKeyException::new,
          key -> 1,
          LoggerFactory.getLogger(ProviderKeys.class));

  private final Map<String, String> env;
  private final TimeSource time;
  private final ReloadingFile.ContentReader reader;
  private final Map<KeyReference, Supplier<ProviderKey>> resolved = new ConcurrentHashMap<>();
  private final Map<KeyReference, ReloadingFile<ProviderKey>> files = new ConcurrentHashMap<>();

  private ProviderKeys(
      Map<String, String> env, TimeSource time, ReloadingFile.ContentReader reader) {
    this.env = Map.copyOf(env);
    this.time = Objects.requireNonNull(time);
    this.reader = Objects.requireNonNull(reader);
  }

  /**
   * Keys resolved from this environment ({@code System.getenv()}) and the file system.
   *
   * @param time decides whether a key file was modified a moment ago (then it is read once settled)
   */
  public static ProviderKeys of(Map<String, String> env, TimeSource time) {
    return new ProviderKeys(env, time, Files::readAllBytes);
  }

  /** As {@link #of}, reading key files through {@code reader} (a seam for tests). */
  static ProviderKeys of(
      Map<String, String> env, TimeSource time, ReloadingFile.ContentReader reader) {
    return new ProviderKeys(env, time, reader);
  }

  /**
   * Resolves the reference if it is not yet: reads the variable, or loads the file and watches it.
   *
   * @return null when the reference has a key; else why not, starting with the reference (e.g.
   *     {@code env:OPENAI_KEY: environment variable OPENAI_KEY is not set}); never a key
   */
  public String problem(KeyReference reference) {
    if (resolved.containsKey(reference)) {
      return null;
    }
    synchronized (this) {
      if (resolved.containsKey(reference)) {
        return null;
      }
      try {
        resolved.put(reference, open(reference));
        return null;
      } catch (ProviderKeyException e) {
        return e.getMessage();
      }
    }
  }

  /**
   * Resolves every reference, or fails naming each setting whose reference has no key.
   *
   * @param bySetting references by the setting that holds them, e.g. {@code
   *     providers.openai.upstream_key}
   * @throws ProviderKeyException one problem per unresolved reference, naming the setting and the
   *     reference, never a key
   */
  public void requireAll(Map<String, KeyReference> bySetting) {
    List<String> problems = new ArrayList<>();
    bySetting.forEach(
        (setting, reference) -> {
          String problem = problem(reference);
          if (problem != null) {
            problems.add(setting + ": " + problem);
          }
        });
    if (!problems.isEmpty()) {
      throw new ProviderKeyException(problems);
    }
  }

  /**
   * The key a resolved reference names now: a file's latest valid content.
   *
   * @throws IllegalStateException if the reference was never resolved (a bug: every reference is
   *     resolved before a request can use it)
   */
  public String value(KeyReference reference) {
    Supplier<ProviderKey> key = resolved.get(reference);
    if (key == null) {
      throw new IllegalStateException("provider key " + reference + " was never resolved");
    }
    return key.get().value();
  }

  /** Checks every key file and reloads those that changed; true if any did. Never throws. */
  public boolean reloadIfChanged() {
    boolean changed = false;
    for (ReloadingFile<ProviderKey> file : files.values()) {
      changed |= file.reloadIfChanged();
    }
    return changed;
  }

  /** Checks every key file every {@code interval} on {@code executor}, until cancelled. */
  public ScheduledFuture<?> schedule(ScheduledExecutorService executor, Duration interval) {
    long millis = interval.toMillis();
    if (millis <= 0) {
      throw new IllegalArgumentException("poll interval must be positive, got " + interval);
    }
    return executor.scheduleWithFixedDelay(
        () -> files.values().forEach(ReloadingFile::reloadIfChangedLoggingErrors),
        millis,
        millis,
        TimeUnit.MILLISECONDS);
  }

  /** How many references are resolved; for tests and the start log. */
  public int size() {
    return resolved.size();
  }

  private Supplier<ProviderKey> open(KeyReference reference) {
    if (reference.kind() == KeyReference.Kind.ENV) {
      String text = env.get(reference.name());
      if (text == null) {
        throw new ProviderKeyException(
            reference + ": environment variable " + reference.name() + " is not set");
      }
      ProviderKey key;
      try {
        key = ProviderKey.of(text);
      } catch (IllegalArgumentException e) {
        throw new ProviderKeyException(
            reference + ": environment variable " + reference.name() + " " + e.getMessage());
      }
      return () -> key;
    }
    ReloadingFile<ProviderKey> file;
    try {
      file = ReloadingFile.open(FILE_KIND, reference.path(), time, reader);
    } catch (ProviderKeyException e) {
      throw new ProviderKeyException("file:" + e.getMessage());
    }
    files.put(reference, file);
    return file::current;
  }

  private static ProviderKey parseFile(byte[] content, String source) {
    try {
      return ProviderKey.of(content);
    } catch (IllegalArgumentException e) {
      throw new ProviderKeyException(source + ": " + e.getMessage());
    }
  }
}
