package ai.numio.lmgate.cost;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.route.Format;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code pricing.path}: the operator's price file, reloaded like the allow-list. */
class ReloadingPriceTableTest {

  private static final String V1 =
      "models:\n  - model: \"gpt-4o*\"\n    input: 2.50\n    output: 10\n";
  private static final String V2 = V1 + "  - model: \"claude-*\"\n    input: 3\n    output: 15\n";
  private static final String CORRUPT =
      V1 + "  - model: \"claude-*\"\n    input: -3\n    output: 15\n";

  /** File times long before the clock's "now": no file counts as recently modified. */
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;
  private Path file;
  private final ManualTimeSource time = new ManualTimeSource(T0.plus(Duration.ofDays(1)));
  private final Logger logger = (Logger) LoggerFactory.getLogger(ReloadingPriceTable.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void setUp() throws IOException {
    file = dir.resolve("prices.yaml");
    write(file, V1, T0);
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  private static void write(Path target, String content, Instant modified) throws IOException {
    Files.write(target, content.getBytes(UTF_8));
    Files.setLastModifiedTime(target, FileTime.from(modified));
  }

  private ReloadingPriceTable open() throws PriceTableException {
    ReloadingPriceTable table = ReloadingPriceTable.open(file, time);
    logs.list.clear();
    return table;
  }

  private List<String> errors() {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void anInPlaceRewriteIsLoaded() throws Exception {
    ReloadingPriceTable table = open();
    assertThat(table.current().find("claude-x", Format.ANTHROPIC)).isNull();

    write(file, V2, T0.plusSeconds(60));

    assertThat(table.reloadIfChanged()).isTrue();
    assertThat(table.current().find("claude-x", Format.ANTHROPIC).input()).isEqualTo(3.0);
    assertThat(errors()).isEmpty();
  }

  @Test
  void aCorruptEditKeepsTheOldTableWithOneErrorNamingFileAndLine() throws Exception {
    ReloadingPriceTable table = open();

    write(file, CORRUPT, T0.plusSeconds(60));
    assertThat(table.reloadIfChanged()).isFalse();
    assertThat(table.reloadIfChanged()).isFalse();

    assertThat(table.current().entries()).hasSize(1);
    assertThat(errors())
        .singleElement()
        .asString()
        .startsWith("Price table not reloaded; keeping the previous table of 1 entries: ")
        .contains(file + " line 6: models entry 2 (\"claude-*\"): input: must not be negative");

    write(file, V2, T0.plusSeconds(120));
    assertThat(table.reloadIfChanged()).isTrue();
    assertThat(table.current().entries()).hasSize(2);
  }

  @Test
  void aDeletedFileKeepsTheOldTable() throws Exception {
    ReloadingPriceTable table = open();

    Files.delete(file);

    assertThat(table.reloadIfChanged()).isFalse();
    assertThat(table.current().find("gpt-4o", Format.OPENAI).output()).isEqualTo(10.0);
    assertThat(errors()).singleElement().asString().contains(file + ": file not found");
  }

  @Test
  void anAtomicRenameIsLoaded() throws Exception {
    ReloadingPriceTable table = open();

    Path next = dir.resolve("prices.yaml.tmp");
    write(next, V2, T0.plusSeconds(60));
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertThat(table.reloadIfChanged()).isTrue();
    assertThat(table.current().entries()).hasSize(2);
  }

  @Test
  void aBadFileAtStartFailsNamingFileAndLine() throws Exception {
    write(file, CORRUPT, T0);

    PriceTableException e =
        catchThrowableOfType(() -> ReloadingPriceTable.open(file, time), PriceTableException.class);

    assertThat(e.problems())
        .singleElement()
        .asString()
        .startsWith(file + " line 6: models entry 2 (\"claude-*\"): input: must not be negative");
  }

  @Test
  void aMissingFileAtStartFails() throws Exception {
    Files.delete(file);

    PriceTableException e =
        catchThrowableOfType(() -> ReloadingPriceTable.open(file, time), PriceTableException.class);

    assertThat(e.problems()).containsExactly(file + ": file not found");
  }
}
