package ai.numio.lmgate.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.ManualTimeSource;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The allow-list's promises while its file changes (SPEC §4: a bad edit never opens or closes the
 * gate). Reader threads authorize without pause while the file is rewritten in place in pieces,
 * corrupted, deleted and re-created, replaced by an atomic rename, and swapped like a Kubernetes
 * ConfigMap; a check runs at every intermediate state of the file. Throughout: no key that is on
 * both the old and the new list is ever refused, no fragment of a key cut by a half-written file is
 * ever accepted, and a bad, half-written or missing file keeps the old snapshot. Once the new file
 * is complete, the first check a poll interval later swaps it in, and from then on no removed key
 * is accepted. The clock is a {@link ManualTimeSource}: checks run when the test says, nothing
 * sleeps.
 */
class AllowListChangeUnderLoadTest {

  private static final int KEPT = 120;
  private static final int REMOVED = 20;
  private static final int ADDED = 20;
  private static final int READERS = 2;
  private static final Duration POLL = Duration.ofSeconds(30);
  private static final String HEADER = "id,api_key,owner,added\n";
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private static final List<String> KEPT_KEYS = keys("kept", KEPT);
  private static final List<String> REMOVED_KEYS = keys("removed", REMOVED);
  private static final List<String> ADDED_KEYS = keys("added", ADDED);

  /** Kept rows, with every sixth followed by a row that the new version removes. */
  private static final String OLD = oldVersion();

  /** The kept rows (one with a new owner), and new rows in the middle and at the end. */
  private static final String NEW = newVersion();

  @TempDir Path dir;
  private Path file;
  private final ManualTimeSource time = new ManualTimeSource(Instant.now());
  private final Logger logger = (Logger) LoggerFactory.getLogger(ReloadingAllowList.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  private ReloadingAllowList allowList;
  private AllowList old;
  private Readers readers;

  @BeforeEach
  void setUp() {
    file = dir.resolve("allowlist.csv");
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (readers != null) {
      readers.close();
    }
    logger.detachAppender(logs);
  }

  @Test
  void inPlaceRewriteInPieces() throws Exception {
    start(file);

    rewriteInPieces(file);
    appliedAtTheNextCheck();

    assertThat(messages(Level.ERROR)).isEmpty();
    assertThat(messages(Level.INFO))
        .containsExactly("Allow-list " + file + " reloaded: 140 entries (before: 140)");
  }

  @Test
  void corruptEditsKeepTheOldSnapshotThenTheFixedFileApplies() throws Exception {
    start(file);
    String hashedRow = row("k" + 91, KEPT_KEYS.get(91));
    byte[] notUtf8 = NEW.getBytes(UTF_8);
    notUtf8[rowStart(13) + "k13,".length() + 10] = (byte) 0xff;
    List<byte[]> corruptions =
        List.of(
            NEW.replace("\na5,", "\nk7,").getBytes(UTF_8),
            NEW.replace(hashedRow, hashedRow.replaceFirst("sha256:(.{20}).", "sha256:$1"))
                .getBytes(UTF_8),
            NEW.replace("\nk61,", "\nk61,\"").getBytes(UTF_8),
            notUtf8);

    for (byte[] corrupt : corruptions) {
      Files.write(file, corrupt);
      touch(file);
      unchangedAfterCheck();
      time.advance(POLL);
      unchangedAfterCheck(); // now read, and rejected
      time.advance(POLL);
      unchangedAfterCheck(); // not read again while unchanged
    }
    rewriteInPieces(file);
    appliedAtTheNextCheck();

    String keeping = "Allow-list not reloaded; keeping the previous table of 140 entries: " + file;
    assertThat(messages(Level.ERROR))
        .containsExactly(
            keeping + " line 79: duplicate id k7 — also on line 9",
            keeping
                + " line 100: malformed sha256: value; expected sha256: followed by 64 hex digits,"
                + " found 63 characters after sha256:",
            keeping + " line 68: malformed CSV: Missing closing quote for value",
            keeping
                + " line 16: not valid UTF-8 (at byte 1109 of the file); save the file as UTF-8");
    assertThat(messages(Level.INFO))
        .containsExactly(
            "Allow-list "
                + file
                + " reloaded: 140 entries (before: 140); the earlier problem is fixed");
  }

  @Test
  void deletedThenRecreatedInPieces() throws Exception {
    start(file);

    Files.delete(file);
    unchangedAfterCheck();
    time.advance(POLL);
    unchangedAfterCheck();
    rewriteInPieces(file);
    appliedAtTheNextCheck();

    assertThat(messages(Level.ERROR))
        .containsExactly(
            "Allow-list not reloaded; keeping the previous table of 140 entries: "
                + file
                + ": file not found");
  }

  @Test
  void atomicRenameOverTheFile() throws Exception {
    start(file);
    Path staged = dir.resolve(".allowlist.csv.tmp");

    rewriteInPieces(staged); // checks of the live file see nothing while the copy is written
    Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    unchangedAfterCheck();
    appliedAtTheNextCheck();

    assertThat(messages(Level.ERROR)).isEmpty();
  }

  @Test
  void kubernetesConfigMapSymlinkSwap() throws Exception {
    // The kubelet's layout: allowlist.csv -> ..data/allowlist.csv, ..data -> ..<timestamp>/; an
    // update writes a new timestamped directory, renames a new ..data link over the old one, and
    // then deletes the old directory.
    Path mount = Files.createDirectory(dir.resolve("config"));
    Path first = Files.createDirectory(mount.resolve("..2026_03_01_10_00_00.123456789"));
    write(first.resolve("allowlist.csv"), OLD);
    Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
    Path link =
        Files.createSymbolicLink(
            mount.resolve("allowlist.csv"), Path.of("..data").resolve("allowlist.csv"));
    start(link);

    Path second = Files.createDirectory(mount.resolve("..2026_03_01_10_05_00.987654321"));
    rewriteInPieces(second.resolve("allowlist.csv"));
    Path newData = Files.createSymbolicLink(mount.resolve("..data_tmp"), second.getFileName());
    unchangedAfterCheck();
    Files.move(newData, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    unchangedAfterCheck();
    Files.delete(first.resolve("allowlist.csv"));
    Files.delete(first);
    unchangedAfterCheck();
    appliedAtTheNextCheck();

    assertThat(messages(Level.ERROR)).isEmpty();
  }

  /** Loads the old version from {@code path} and starts the readers. */
  private void start(Path path) throws Exception {
    if (!Files.exists(path)) {
      write(path, OLD);
    }
    allowList = ReloadingAllowList.open(path, time);
    old = allowList.current();
    assertThat(old.size()).isEqualTo(KEPT + REMOVED);
    readers = new Readers(allowList, fragments());
    readers.awaitPasses();
    time.advance(POLL);
    unchangedAfterCheck();
    logs.list.clear();
  }

  /**
   * Writes the new version to {@code target} as a program writing in place does: truncate, then
   * several writes. A check runs after each: on the empty file, mid-header, on the header alone (a
   * valid, empty list), inside a plaintext key, at a line boundary, inside a {@code sha256:} value,
   * and on the complete file.
   */
  private void rewriteInPieces(Path target) throws Exception {
    byte[] bytes = NEW.getBytes(UTF_8);
    assertThat(bytes).hasSize(NEW.length());
    try (OutputStream out = Files.newOutputStream(target)) {
      touch(target);
      unchangedAfterCheck();
      int from = 0;
      for (int cut : cuts()) {
        out.write(bytes, from, cut - from);
        out.flush();
        touch(target);
        unchangedAfterCheck();
        from = cut;
      }
      out.write(bytes, from, bytes.length - from);
    }
    touch(target);
    unchangedAfterCheck(); // complete, but was being written a moment ago
  }

  private void write(Path target, String text) throws IOException {
    Files.writeString(target, text);
    touch(target);
  }

  /**
   * Stamps the file with the test's clock, as the write just made would with the system's: the file
   * system's clock and the injected one must agree on what "a moment ago" is.
   */
  private void touch(Path target) throws IOException {
    Files.setLastModifiedTime(target, FileTime.from(time.now()));
  }

  private static int[] cuts() {
    int plainKeyCut = rowStart(30) + "k30,".length() + 20;
    int lineBoundary = rowStart(60);
    int hashedKeyCut = rowStart(91) + "k91,sha256:".length() + 30;
    return new int[] {10, HEADER.length(), plainKeyCut, lineBoundary, hashedKeyCut};
  }

  /** The key prefix that the half-written file holds where a cut falls inside a plaintext key. */
  private static List<String> fragments() {
    assertThat(30 % 3).as("row 30 is a plaintext row").isNotEqualTo(1);
    return List.of(KEPT_KEYS.get(30).substring(0, 20));
  }

  private static int rowStart(int kept) {
    int start = NEW.indexOf("\nk" + kept + ",") + 1;
    assertThat(start).isPositive();
    return start;
  }

  private void unchangedAfterCheck() {
    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.current()).isSameAs(old);
    readers.awaitPasses();
  }

  /** A poll interval later, the check swaps the complete new file in. */
  private void appliedAtTheNextCheck() {
    time.advance(POLL);
    assertThat(allowList.reloadIfChanged()).isTrue();
    readers.switched();
    AllowList current = allowList.current();
    assertThat(current.size()).isEqualTo(KEPT + ADDED);
    assertThat(current.lookup(KEPT_KEYS.get(3)))
        .contains(new AllowListEntry("k3", "team-omega", ""));
    assertThat(current.lookup(KEPT_KEYS.get(4)))
        .contains(new AllowListEntry("k4", "team-4", "2026-01-15"));
    assertThat(current.lookup(REMOVED_KEYS.get(0))).isEmpty();
    assertThat(current.lookup(ADDED_KEYS.get(19)))
        .contains(new AllowListEntry("a19", "team-new", "2026-03-01"));
    readers.awaitPasses();
    readers.awaitPasses();

    time.advance(POLL);
    assertThat(allowList.reloadIfChanged()).isFalse();
    assertThat(allowList.current()).isSameAs(current);
    readers.awaitPasses();
    assertThat(readers.failures()).isEmpty();
  }

  private List<String> messages(Level level) {
    return logs.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static List<String> keys(String kind, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Random random = new Random(kind.hashCode() * 1_000_003L + i);
      StringBuilder key = new StringBuilder("sk-proj-");
      for (int c = 0; c < 40; c++) {
        key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      keys.add(key.toString());
    }
    return keys;
  }

  /** Every third row holds the key's {@code sha256:} form. */
  private static String row(String id, String key) {
    int index = Integer.parseInt(id.substring(1));
    String column = index % 3 == 1 ? Sha256.allowListForm(key) : key;
    return id + "," + column + ",team-" + index % 10 + ",2026-01-15\n";
  }

  private static String oldVersion() {
    StringBuilder csv = new StringBuilder(HEADER);
    for (int i = 0; i < KEPT; i++) {
      csv.append(row("k" + i, KEPT_KEYS.get(i)));
      if (i % 6 == 5) {
        csv.append(row("r" + i / 6, REMOVED_KEYS.get(i / 6)));
      }
    }
    return csv.toString();
  }

  private static String newVersion() {
    StringBuilder csv = new StringBuilder(HEADER);
    for (int i = 0; i < KEPT; i++) {
      String row = row("k" + i, KEPT_KEYS.get(i));
      csv.append(i == 3 ? row.replace("team-3,2026-01-15", "team-omega,") : row);
      if (i % 12 == 11) {
        csv.append("a" + i / 12 + "," + ADDED_KEYS.get(i / 12) + ",team-new,2026-03-01\n");
      }
    }
    for (int i = KEPT / 12; i < ADDED; i++) {
      csv.append(
          "a" + i + "," + Sha256.allowListForm(ADDED_KEYS.get(i)) + ",team-new,2026-03-01\n");
    }
    return csv.toString();
  }

  /**
   * Threads authorizing without pause: every kept key must pass and every fragment must fail in
   * whichever snapshot they read; once {@link #switched} is called, removed keys must fail and
   * added keys pass.
   */
  private static final class Readers implements AutoCloseable {

    private final ReloadingAllowList allowList;
    private final List<String> fragments;
    private final AtomicLongArray passes = new AtomicLongArray(READERS);
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean switched;
    private volatile boolean stop;

    Readers(ReloadingAllowList allowList, List<String> fragments) {
      this.allowList = allowList;
      this.fragments = fragments;
      for (int i = 0; i < READERS; i++) {
        int index = i;
        Thread thread = new Thread(() -> run(index), "allow-list-reader-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    void switched() {
      switched = true;
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    /** Waits until every reader has made two whole passes since the call. */
    void awaitPasses() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (int i = 0; i < READERS; i++) {
        long target = passes.get(i) + 2;
        while (passes.get(i) < target) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("reader " + i + " made no progress in 30 s");
          }
          Thread.yield();
        }
      }
    }

    private void run(int index) {
      try {
        while (!stop) {
          boolean afterSwitch = switched;
          AllowList list = allowList.current();
          for (String key : KEPT_KEYS) {
            if (list.lookup(key).isEmpty()) {
              fail("kept key refused", key, list);
            }
          }
          for (String key : fragments) {
            if (list.lookup(key).isPresent()) {
              fail("fragment of a key accepted", key, list);
            }
          }
          if (afterSwitch) {
            for (String key : REMOVED_KEYS) {
              if (list.lookup(key).isPresent()) {
                fail("removed key accepted after the switch", key, list);
              }
            }
            for (String key : ADDED_KEYS) {
              if (list.lookup(key).isEmpty()) {
                fail("added key refused after the switch", key, list);
              }
            }
          }
          passes.incrementAndGet(index);
        }
      } catch (RuntimeException | Error e) {
        failures.add("reader " + index + " failed: " + e);
        passes.set(index, Long.MAX_VALUE / 2);
      }
    }

    private void fail(String what, String key, AllowList list) {
      if (failures.size() < 20) {
        failures.add(what + ": " + KeyMask.forLog(key) + " in " + list);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }
    }
  }
}
