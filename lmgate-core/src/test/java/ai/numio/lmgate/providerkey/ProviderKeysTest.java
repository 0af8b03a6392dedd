package ai.numio.lmgate.providerkey;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.ManualTimeSource;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Provider keys by reference (SPEC-2 §15): {@code env:} read at start, {@code file:} re-read when
 * the file changes — on an injected clock, never sleeping — and kept when the file goes away.
 */
class ProviderKeysTest {

  private static final String KEY_V1 = "sk-proj-provider-key-version-one-AAAA1111";
  private static final String KEY_V2 = "sk-proj-provider-key-version-two-BBBB2222";

  /** File times long before the clock's "now": no file counts as being written. */
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;
  private final ManualTimeSource time = new ManualTimeSource(T0.plus(Duration.ofDays(1)));
  private final Logger logger = (Logger) LoggerFactory.getLogger(ProviderKeys.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  @Test
  void anEnvReferenceReadsTheVariableTrimmed() {
    ProviderKeys keys = ProviderKeys.of(Map.of("OPENAI_API_KEY", " " + KEY_V1 + "\n"), time);
    KeyReference reference = KeyReference.parse("env:OPENAI_API_KEY");
    assertThat(keys.problem(reference)).isNull();
    assertThat(keys.value(reference)).isEqualTo(KEY_V1);
  }

  @Test
  void anUnresolvableReferenceAtStartNamesTheSettingAndNeverAKey() throws IOException {
    Path empty = write("empty.key", "\n", T0);
    Path spaced = write("spaced.key", "sk-proj-half " + KEY_V1 + "\n", T0);
    ProviderKeys keys = ProviderKeys.of(Map.of("BLANK", "  "), time);
    Map<String, KeyReference> settings = new LinkedHashMap<>();
    settings.put("providers.openai.upstream_key", KeyReference.parse("env:OPENAI_API_KEY"));
    settings.put("providers.azure.upstream_key", KeyReference.parse("env:BLANK"));
    settings.put(
        "providers.anthropic.upstream_key", KeyReference.parse("file:" + dir.resolve("none")));
    settings.put("providers.gemini.upstream_key", KeyReference.parse("file:" + empty));
    settings.put("providers.google.upstream_key", KeyReference.parse("file:" + spaced));
    assertThatThrownBy(() -> keys.requireAll(settings))
        .isInstanceOfSatisfying(
            ProviderKeyException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "providers.openai.upstream_key: env:OPENAI_API_KEY: environment variable"
                            + " OPENAI_API_KEY is not set",
                        "providers.azure.upstream_key: env:BLANK: environment variable BLANK is"
                            + " empty; it must hold the provider key",
                        "providers.anthropic.upstream_key: file:"
                            + dir.resolve("none")
                            + ": file not found",
                        "providers.gemini.upstream_key: file:"
                            + empty
                            + ": is empty; it must hold the provider key",
                        "providers.google.upstream_key: file:"
                            + spaced
                            + ": holds whitespace or a control character inside the key (content"
                            + " not shown); it must hold the key alone, a trailing newline is"
                            + " fine"))
        .message()
        .doesNotContain(KEY_V1)
        .doesNotContain("sk-proj-half");
  }

  /** Rotation: the new key is used from the first check after the change; no sleep. */
  @Test
  void aChangedFileIsReadAtTheNextCheck() throws IOException {
    Path file = write("openai.key", KEY_V1 + "\n", T0);
    ProviderKeys keys = ProviderKeys.of(Map.of(), time);
    KeyReference reference = KeyReference.parse("file:" + file);
    assertThat(keys.problem(reference)).isNull();
    assertThat(keys.value(reference)).isEqualTo(KEY_V1);
    assertThat(keys.reloadIfChanged()).isFalse();

    write("openai.key", KEY_V2 + "\n", T0.plusSeconds(60));
    assertThat(keys.reloadIfChanged()).isTrue();
    assertThat(keys.value(reference)).isEqualTo(KEY_V2);
    assertThat(messages(Level.INFO))
        .contains("Provider key file " + file + " reloaded: 1 key (before: 1)");
    assertNoKeyLogged();
  }

  /**
   * A file written a moment ago (by the clock) is read once it has settled: a write in progress is
   * never taken for the key.
   */
  @Test
  void aFileBeingWrittenIsReadOnceSettled() throws IOException {
    Path file = write("openai.key", KEY_V1, T0);
    ProviderKeys keys = ProviderKeys.of(Map.of(), time);
    KeyReference reference = KeyReference.parse("file:" + file);
    keys.problem(reference);
    write("openai.key", KEY_V2, time.now());
    assertThat(keys.reloadIfChanged()).isFalse();
    assertThat(keys.value(reference)).isEqualTo(KEY_V1);
    time.advance(Duration.ofSeconds(3));
    assertThat(keys.reloadIfChanged()).isTrue();
    assertThat(keys.value(reference)).isEqualTo(KEY_V2);
  }

  /**
   * A Kubernetes secret volume: the key file is a symlink into {@code ..data}, itself a symlink
   * swapped to a new timestamped directory on update.
   */
  @Test
  void aKubernetesSecretSymlinkSwapIsSeen() throws IOException {
    Path v1 = Files.createDirectories(dir.resolve("..2026_03_01_v1"));
    Path v2 = Files.createDirectories(dir.resolve("..2026_03_02_v2"));
    write(v1.getFileName() + "/openai", KEY_V1 + "\n", T0);
    write(v2.getFileName() + "/openai", KEY_V2 + "\n", T0); // the same time and size
    Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Files.createSymbolicLink(dir.resolve("openai"), Path.of("..data/openai"));
    ProviderKeys keys = ProviderKeys.of(Map.of(), time);
    KeyReference reference = KeyReference.parse("file:" + dir.resolve("openai"));
    keys.problem(reference);
    assertThat(keys.value(reference)).isEqualTo(KEY_V1);

    Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
    Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    assertThat(keys.reloadIfChanged()).isTrue();
    assertThat(keys.value(reference)).isEqualTo(KEY_V2);
  }

  /** A file that disappears keeps the last key, with one ERROR naming the file, never the key. */
  @Test
  void aFileThatDisappearsKeepsTheLastKeyAndLogsOnce() throws IOException {
    Path file = write("openai.key", KEY_V1 + "\n", T0);
    ProviderKeys keys = ProviderKeys.of(Map.of(), time);
    KeyReference reference = KeyReference.parse("file:" + file);
    keys.problem(reference);
    logs.list.clear();

    Files.delete(file);
    for (int check = 0; check < 5; check++) {
      assertThat(keys.reloadIfChanged()).isFalse();
      time.advance(Duration.ofSeconds(30));
    }
    assertThat(keys.value(reference)).isEqualTo(KEY_V1);
    assertThat(messages(Level.ERROR))
        .containsExactly(
            "Provider key file not reloaded; keeping the previous key of 1 key: "
                + file
                + ": file not found");

    write("openai.key", "  \n", T0.plusSeconds(120)); // back, but empty: still the last key
    assertThat(keys.reloadIfChanged()).isFalse();
    assertThat(keys.value(reference)).isEqualTo(KEY_V1);
    assertThat(messages(Level.ERROR)).hasSize(2).last().asString().contains(file + ": is empty");

    write("openai.key", KEY_V2 + "\n", T0.plusSeconds(180));
    assertThat(keys.reloadIfChanged()).isTrue();
    assertThat(keys.value(reference)).isEqualTo(KEY_V2);
    assertNoKeyLogged();
  }

  @Test
  void anUnreadableFileKeepsTheLastKey() throws IOException {
    Path file = write("openai.key", KEY_V1, T0);
    boolean[] fail = {false};
    ProviderKeys keys =
        ProviderKeys.of(
            Map.of(),
            time,
            path -> {
              if (fail[0]) {
                throw new java.nio.file.AccessDeniedException(path.toString());
              }
              return Files.readAllBytes(path);
            });
    KeyReference reference = KeyReference.parse("file:" + file);
    keys.problem(reference);
    fail[0] = true;
    write("openai.key", KEY_V2, T0.plusSeconds(60));
    assertThat(keys.reloadIfChanged()).isFalse();
    keys.reloadIfChanged();
    assertThat(keys.value(reference)).isEqualTo(KEY_V1);
    assertThat(messages(Level.ERROR))
        .singleElement()
        .asString()
        .endsWith(file + ": permission denied; the gateway's user must be able to read it");
  }

  @Test
  void aReferenceNeverResolvedIsABug() {
    ProviderKeys keys = ProviderKeys.of(Map.of(), time);
    assertThatThrownBy(() -> keys.value(KeyReference.parse("env:X")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLiteralKeyIsNoReferenceAndIsNeverEchoed() {
    assertThatThrownBy(() -> KeyReference.parse(KEY_V1))
        .hasMessageStartingWith("is not a key reference")
        .message()
        .doesNotContain(KEY_V1)
        .doesNotContain("1111");
    assertThatThrownBy(() -> KeyReference.parse("env:" + KEY_V1)).message().doesNotContain(KEY_V1);
    assertThat(KeyReference.parse(" FILE:/run/secrets/k ")).hasToString("file:/run/secrets/k");
  }

  private void assertNoKeyLogged() {
    for (ILoggingEvent event : logs.list) {
      assertThat(event.getFormattedMessage()).doesNotContain(KEY_V1).doesNotContain(KEY_V2);
    }
  }

  private List<String> messages(Level level) {
    return logs.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private Path write(String name, String content, Instant modified) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, content.getBytes(UTF_8));
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }
}
