package ai.numio.lmgate.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.numio.lmgate.ManualTimeSource;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ReloadingAllowListTest {

  private static final String ALPHA_KEY = "sk-proj-alpha-key-00000000000000001";
  private static final String BETA_KEY = "sk-proj-beta-key-000000000000000002";
  private static final String HEADER = "id,api_key,owner,added\n";
  private static final String ALPHA_ROW = "1," + ALPHA_KEY + ",team-alpha,2026-01-15\n";
  private static final String BETA_ROW = "2," + BETA_KEY + ",team-beta,2026-02-01\n";

  private static final String V1 = HEADER + ALPHA_ROW;
  private static final String V2 = HEADER + ALPHA_ROW + BETA_ROW;
  private static final String DUPLICATE_ID = HEADER + ALPHA_ROW + "1," + BETA_KEY + ",team-beta,\n";
  private static final String EMPTY_KEY = HEADER + ALPHA_ROW + "2,,team-beta,\n";

  /** File times, all long before the clock's "now": no file counts as recently modified. */
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static final Instant T1 = T0.plusSeconds(60);
  private static final Instant T2 = T0.plusSeconds(120);
  private static final Instant T3 = T0.plusSeconds(180);

  @TempDir Path dir;
  private Path file;

  private final ManualTimeSource time = new ManualTimeSource(T0.plus(Duration.ofDays(1)));
  private final CountingReader reader = new CountingReader();

  private final Logger logger = (Logger) LoggerFactory.getLogger(ReloadingAllowList.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void setUp() throws IOException {
    file = dir.resolve("allowlist.csv");
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

  private ReloadingAllowList open() throws AllowListException {
    ReloadingAllowList allowList = ReloadingAllowList.open(file, time, reader);
    logs.list.clear();
    return allowList;
  }

  private List<String> logLines() {
    return logs.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  @Test
  void openLoadsTheFile() throws Exception {
    ReloadingAllowList allowList = ReloadingAllowList.open(file, time, reader);

    assertThat(allowList.current().size()).isEqualTo(1);
    assertThat(allowList.current().lookup(ALPHA_KEY))
        .contains(new AllowListEntry("1", "team-alpha", "2026-01-15"));
    assertThat(allowList.file()).isEqualTo(file);
    assertThat(logLines()).containsExactly("INFO Allow-list " + file + " loaded: 1 entries");
  }

  @Test
  void openFailsWhenTheFileIsMissing() {
    Path missing = dir.resolve("missing.csv");

    AllowListException e =
        catchThrowableOfType(AllowListException.class, () -> ReloadingAllowList.open(missing));

    assertThat(e.problems()).containsExactly(missing + ": file not found");
  }

  @Test
  void openFailsWhenTheFileIsInvalid() throws IOException {
    write(file, DUPLICATE_ID, T0);

    AllowListException e =
        catchThrowableOfType(AllowListException.class, () -> ReloadingAllowList.open(file));

    assertThat(e.problems()).containsExactly(file + " line 3: duplicate id 1 — also on line 2");
  }

  @Test
  void unchangedFileIsNotReadAgain() throws Exception {
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();

    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(reader.reads).isEqualTo(1);
    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(logs.list).isEmpty();
  }

  @Test
  void changedFileIsReloaded() throws Exception {
    ReloadingAllowList allowList = open();
    write(file, V2, T1);

    assertThat(allowList.reloadIfChanged()).isTrue();

    assertThat(allowList.current().size()).isEqualTo(2);
    assertThat(allowList.current().lookup(BETA_KEY))
        .contains(new AllowListEntry("2", "team-beta", "2026-02-01"));
    assertThat(logLines())
        .containsExactly("INFO Allow-list " + file + " reloaded: 2 entries (before: 1)");
    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(reader.reads).isEqualTo(2);
  }

  @Test
  void keyRemovedFromTheFileIsRefusedAfterReload() throws Exception {
    write(file, V2, T0);
    ReloadingAllowList allowList = open();
    write(file, HEADER + BETA_ROW, T1);

    assertThat(allowList.reloadIfChanged()).isTrue();

    assertThat(allowList.current().lookup(ALPHA_KEY)).isEmpty();
    assertThat(allowList.current().lookup(BETA_KEY)).isPresent();
  }

  @Test
  void sameSizeEditIsSeenByModificationTime() throws Exception {
    ReloadingAllowList allowList = open();
    String edited = V1.replace("team-alpha", "team-omega");
    assertThat(edited).hasSameSizeAs(V1);
    write(file, edited, T1);

    assertThat(allowList.reloadIfChanged()).isTrue();

    assertThat(allowList.current().lookup(ALPHA_KEY))
        .contains(new AllowListEntry("1", "team-omega", "2026-01-15"));
  }

  @Test
  void invalidEditKeepsThePreviousTableAndLogsEachProblemOnce() throws Exception {
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();
    write(file, DUPLICATE_ID, T1);

    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(allowList.current().lookup(ALPHA_KEY)).isPresent();
    assertThat(logLines())
        .containsExactly(
            "ERROR Allow-list not reloaded; keeping the previous table of 1 entries: "
                + file
                + " line 3: duplicate id 1 — also on line 2");
    assertThat(reader.reads).as("the rejected file is not read again while unchanged").isEqualTo(2);

    write(file, EMPTY_KEY, T2);
    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(logLines())
        .hasSize(2)
        .last()
        .isEqualTo(
            "ERROR Allow-list not reloaded; keeping the previous table of 1 entries: "
                + file
                + " line 3: empty api_key");

    write(file, V2, T3);
    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().size()).isEqualTo(2);
    assertThat(logLines())
        .hasSize(3)
        .last()
        .isEqualTo(
            "INFO Allow-list "
                + file
                + " reloaded: 2 entries (before: 1); the earlier problem is fixed");
  }

  @Test
  void invalidEditNeverLogsAKey() throws Exception {
    ReloadingAllowList allowList = open();
    write(file, HEADER + ALPHA_ROW + "2," + ALPHA_KEY + ",team-copy,\n", T1);

    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(logLines())
        .containsExactly(
            "ERROR Allow-list not reloaded; keeping the previous table of 1 entries: "
                + file
                + " line 3: duplicate api_key (…000001) — also on line 2");
    assertThat(logLines().get(0)).doesNotContain(ALPHA_KEY);
  }

  @Test
  void deletedFileKeepsThePreviousTable() throws Exception {
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();
    Files.delete(file);

    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(logLines())
        .containsExactly(
            "ERROR Allow-list not reloaded; keeping the previous table of 1 entries: "
                + file
                + ": file not found");

    write(file, V2, T1);
    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().size()).isEqualTo(2);
    assertThat(logLines())
        .hasSize(2)
        .last()
        .isEqualTo(
            "INFO Allow-list "
                + file
                + " reloaded: 2 entries (before: 1); the earlier problem is fixed");
  }

  @Test
  void restoringTheSameContentLogsTheRecoveryWithoutASwap() throws Exception {
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();
    Files.delete(file);
    allowList.reloadIfChanged();
    write(file, V1, T1);

    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(logLines())
        .hasSize(2)
        .last()
        .isEqualTo(
            "INFO Allow-list "
                + file
                + " is readable and valid again; the table is unchanged (1 entries)");
  }

  @Test
  void touchedFileWithTheSameContentIsSilent() throws Exception {
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();
    Files.setLastModifiedTime(file, FileTime.from(T1));

    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(reader.reads).isEqualTo(2);
    assertThat(logs.list).isEmpty();
  }

  @Test
  void unreadableFileKeepsThePreviousTable() throws Exception {
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();
    write(file, V2, T1);
    reader.failure = new AccessDeniedException(file.toString());

    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(logLines())
        .containsExactly(
            "ERROR Allow-list not reloaded; keeping the previous table of 1 entries: "
                + file
                + ": permission denied; the gateway's user must be able to read it");

    reader.failure = null;
    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().size()).isEqualTo(2);
  }

  @Test
  void atomicRenameOverTheFileIsSeenEvenWithTheSameTimeAndSize() throws Exception {
    ReloadingAllowList allowList = open();
    String replacement = V1.replace(ALPHA_KEY, ALPHA_KEY.replace("alpha", "omega"));
    assertThat(replacement).hasSameSizeAs(V1);
    Path staged = dir.resolve(".allowlist.csv.tmp");
    write(staged, replacement, T0);

    Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().lookup(ALPHA_KEY)).isEmpty();
    assertThat(allowList.current().lookup(ALPHA_KEY.replace("alpha", "omega")))
        .contains(new AllowListEntry("1", "team-alpha", "2026-01-15"));
  }

  @Test
  void kubernetesConfigMapSymlinkSwapIsSeen() throws Exception {
    // The kubelet's layout: allowlist.csv -> ..data/allowlist.csv, ..data -> ..<timestamp>/,
    // updated by renaming a new ..data link over the old one.
    Path mount = Files.createDirectory(dir.resolve("config"));
    Path first = Files.createDirectory(mount.resolve("..2026_03_01_10_00_00.1"));
    write(first.resolve("allowlist.csv"), V1, T0);
    Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
    Path link =
        Files.createSymbolicLink(
            mount.resolve("allowlist.csv"), Path.of("..data").resolve("allowlist.csv"));
    ReloadingAllowList allowList = ReloadingAllowList.open(link, time, reader);
    String replacement = V1.replace("team-alpha", "team-omega");
    Path second = Files.createDirectory(mount.resolve("..2026_03_01_10_05_00.2"));
    write(second.resolve("allowlist.csv"), replacement, T0);

    Path newData = Files.createSymbolicLink(mount.resolve("..data_tmp"), second.getFileName());
    Files.move(newData, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.delete(first.resolve("allowlist.csv"));
    Files.delete(first);

    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().lookup(ALPHA_KEY))
        .contains(new AllowListEntry("1", "team-omega", "2026-01-15"));
  }

  @Test
  void fileChangedWhileBeingReadIsReadAgainAtTheNextCheck() throws Exception {
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();
    write(file, DUPLICATE_ID, T1);
    // The read sees the invalid version; the writer then finishes with the valid one.
    reader.afterRead = () -> write(file, V2, T2);

    assertThat(allowList.reloadIfChanged()).isFalse();

    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(logs.list).noneMatch(e -> e.getLevel() == Level.ERROR);

    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().size()).isEqualTo(2);
    assertThat(reader.reads).isEqualTo(3);
  }

  @Test
  void fileChangingDuringTheStartIsReadAgain() throws Exception {
    reader.afterRead = () -> write(file, V2, T1);

    ReloadingAllowList allowList = ReloadingAllowList.open(file, time, reader);

    assertThat(reader.reads).isEqualTo(2);
    assertThat(allowList.current().size()).isEqualTo(2);
    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(reader.reads).isEqualTo(2);
  }

  @Test
  void recentlyModifiedFileIsReadAgainSoASameStampRewriteIsNotMissed() throws Exception {
    time.setWallClock(T0.plusMillis(500));
    ReloadingAllowList allowList = open();
    // A second write within the file system's timestamp granularity: same size, same time.
    String rewritten = V1.replace("team-alpha", "team-omega");
    write(file, rewritten, T0);

    assertThat(allowList.reloadIfChanged()).as("modified a moment ago: not settled").isFalse();
    assertThat(reader.reads).isEqualTo(1);

    time.setWallClock(T0.plusSeconds(ReloadingAllowList.RECENT_SECONDS));
    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().lookup(ALPHA_KEY))
        .contains(new AllowListEntry("1", "team-omega", "2026-01-15"));

    time.setWallClock(T0.plusSeconds(3600));
    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(reader.reads).as("settled file is not read again").isEqualTo(2);
    assertThat(logLines())
        .containsExactly("INFO Allow-list " + file + " reloaded: 1 entries (before: 1)");
  }

  @Test
  void fileBeingWrittenInPlaceIsReadOnceItHasSettled() throws Exception {
    time.setWallClock(T1.plusMillis(100));
    ReloadingAllowList allowList = open();
    AllowList loaded = allowList.current();
    // Truncated and half rewritten: the header and the start of a row, a key cut in half.
    String half = V2.substring(0, V2.indexOf(BETA_KEY) + 12);
    write(file, half, T1);

    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.current()).isSameAs(loaded);
    assertThat(reader.reads).as("not even read").isEqualTo(1);

    write(file, V2, T1.plusMillis(900));
    time.setWallClock(T1.plusMillis(2899));
    assertThat(allowList.reloadIfChanged()).isFalse();
    time.setWallClock(T1.plusMillis(2900));
    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().size()).isEqualTo(2);
    assertThat(allowList.current().lookup(BETA_KEY.substring(0, 12))).isEmpty();
    assertThat(logLines())
        .containsExactly("INFO Allow-list " + file + " reloaded: 2 entries (before: 1)");
  }

  @Test
  void fileStampedAheadOfTheClockIsReadOnceUnchangedForTheSettlingTime() throws Exception {
    ReloadingAllowList allowList = open();
    // Copied from a machine whose clock runs a month ahead.
    write(file, V2, time.now().plus(Duration.ofDays(30)));

    assertThat(allowList.reloadIfChanged()).isFalse();
    time.advance(Duration.ofMillis(1999));
    assertThat(allowList.reloadIfChanged()).isFalse();
    time.advance(Duration.ofMillis(1));
    assertThat(allowList.reloadIfChanged()).isTrue();
    assertThat(allowList.current().size()).isEqualTo(2);
    assertThat(reader.reads).isEqualTo(2);
  }

  @Test
  void headerOnlyFileIsValidAndEmptiesTheTable() throws Exception {
    ReloadingAllowList allowList = open();
    write(file, HEADER, T1);

    assertThat(allowList.reloadIfChanged()).isTrue();

    assertThat(allowList.current().size()).isZero();
    assertThat(allowList.current().lookup(ALPHA_KEY)).isEmpty();
  }

  @Test
  void scheduledChecksRunAtTheIntervalAndSurviveUnexpectedErrors() throws Exception {
    ReloadingAllowList allowList = open();
    CapturingExecutor executor = new CapturingExecutor();
    try {
      ScheduledFuture<?> future = allowList.schedule(executor, Duration.ofSeconds(30));

      assertThat((Object) future).isSameAs(executor.returned);
      assertThat(executor.initialDelay).isEqualTo(30_000);
      assertThat(executor.delay).isEqualTo(30_000);
      assertThat(executor.unit).isEqualTo(TimeUnit.MILLISECONDS);

      write(file, V2, T1);
      reader.unexpected = new IllegalStateException("disk driver bug");
      executor.command.run();
      executor.command.run();
      assertThat(logLines())
          .containsExactly(
              "ERROR Allow-list not reloaded; keeping the previous table: "
                  + file
                  + ": unexpected error while reloading"
                  + " (java.lang.IllegalStateException: disk driver bug)");

      reader.unexpected = null;
      executor.command.run();
      assertThat(allowList.current().size()).isEqualTo(2);
    } finally {
      executor.shutdownNow();
    }
  }

  /** Reads the real file, counting reads; can fail or run an action after reading. */
  private static final class CountingReader implements ReloadingAllowList.ContentReader {
    int reads;
    IOException failure;
    RuntimeException unexpected;
    IoAction afterRead;

    @Override
    public byte[] read(Path file) throws IOException {
      reads++;
      if (failure != null) {
        throw failure;
      }
      if (unexpected != null) {
        throw unexpected;
      }
      byte[] content = Files.readAllBytes(file);
      if (afterRead != null) {
        IoAction action = afterRead;
        afterRead = null;
        action.run();
      }
      return content;
    }
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }

  /** Records the periodic task instead of running it; the test runs it by hand. */
  private static final class CapturingExecutor extends ScheduledThreadPoolExecutor {
    Runnable command;
    long initialDelay;
    long delay;
    TimeUnit unit;
    ScheduledFuture<?> returned;

    CapturingExecutor() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      this.command = command;
      this.initialDelay = initialDelay;
      this.delay = delay;
      this.unit = unit;
      returned = schedule(() -> {}, 1, TimeUnit.DAYS);
      return returned;
    }
  }
}
