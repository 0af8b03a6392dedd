package ai.numio.lmgate.stats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.ManualTimeSource;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsWriterTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration HOUR = Duration.ofHours(1);
  private static final long NO_ROTATION = Long.MAX_VALUE;

  @TempDir Path tmp;

  private final ManualTimeSource clock =
      new ManualTimeSource(Instant.parse("2026-02-16T12:00:00.750Z"));
  private final List<StatsWriter> writers = new ArrayList<>();

  @AfterEach
  void closeWriters() {
    writers.forEach(StatsWriter::close);
  }

  /** A realistic record whose JSON line has the same length for every {@code i < 1_000_000}. */
  private static UsageRecord record(int i) {
    return new UsageRecord(
        Instant.parse("2026-02-16T12:00:00Z").plusMillis(i),
        String.format(Locale.ROOT, "%06d", i),
        "openai",
        "/openai/v1/chat/completions",
        "gpt-4o-mini-2024-07-18",
        200,
        1200L,
        85L,
        "a1B2c3",
        null,
        "team-alpha",
        "POST",
        false,
        930L,
        410L,
        null,
        null,
        null,
        "req_7f3c",
        0.000255);
  }

  private static String lines(int... ids) {
    StringBuilder sb = new StringBuilder();
    for (int i : ids) {
      sb.append(UsageRecordJson.line(record(i)));
    }
    return sb.toString();
  }

  private static int[] range(int fromInclusive, int toExclusive) {
    return IntStream.range(fromInclusive, toExclusive).toArray();
  }

  private StatsWriter writer(Path out, Duration interval, long maxFileBytes, int capacity) {
    return track(new StatsWriter(out, interval, maxFileBytes, capacity, clock));
  }

  private StatsWriter track(StatsWriter w) {
    writers.add(w);
    return w;
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, UTF_8);
  }

  @Test
  void flushWritesQueuedRecordsAsWholeLinesInOrder() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 100);

    assertThat(w.offer(record(1))).isTrue();
    assertThat(w.offer(record(2))).isTrue();
    assertThat(w.offer(record(3))).isTrue();
    assertThat(w.pendingCount()).isEqualTo(3);
    assertThat(out).doesNotExist();

    w.flush();

    assertThat(read(out)).isEqualTo(lines(1, 2, 3));
    assertThat(w.writtenCount()).isEqualTo(3);
    assertThat(w.pendingCount()).isZero();
    assertThat(w.droppedCount()).isZero();

    w.offer(record(4));
    w.flush();
    w.flush(); // nothing queued: nothing written, nothing repeated

    assertThat(read(out)).isEqualTo(lines(1, 2, 3, 4));
    assertThat(w.writtenCount()).isEqualTo(4);
  }

  @Test
  void appendsToAnExistingFile() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    Files.writeString(out, lines(1));
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 100);

    w.offer(record(2));
    w.flush();

    assertThat(read(out)).isEqualTo(lines(1, 2));
  }

  @Test
  void largeQueuesAreWrittenInSeveralChunksWithoutLoss() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    int n = StatsWriter.CHUNK_RECORDS * 2 + 17;
    StatsWriter w = writer(out, HOUR, NO_ROTATION, n);
    for (int i = 0; i < n; i++) {
      assertThat(w.offer(record(i))).isTrue();
    }

    w.flush();

    assertThat(read(out)).isEqualTo(lines(range(0, n)));
    assertThat(w.writtenCount()).isEqualTo(n);
  }

  @Test
  void closeWritesEverythingQueuedAndIsIdempotent() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 100);
    w.start();
    for (int i = 0; i < 5; i++) {
      w.offer(record(i));
    }

    w.close();

    assertThat(read(out)).isEqualTo(lines(0, 1, 2, 3, 4));
    assertThat(w.writtenCount()).isEqualTo(5);
    assertThat(w.pendingCount()).isZero();
    assertThat(writerThreads()).isEmpty();

    assertThat(w.offer(record(5))).isFalse();
    assertThat(w.droppedCount()).isEqualTo(1);
    w.close();
    w.flush();
    assertThat(read(out)).isEqualTo(lines(0, 1, 2, 3, 4));
  }

  @Test
  void closeWithoutStartWritesToo() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 100);
    w.offer(record(7));

    w.close();

    assertThat(read(out)).isEqualTo(lines(7));
  }

  @Test
  void createsTheOutputDirectoryAndRecreatesItWhenItDisappears() throws IOException {
    Path dir = tmp.resolve("data").resolve("usage");
    Path out = dir.resolve("stats.jsonl");
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 100);

    w.offer(record(1));
    w.flush();
    assertThat(read(out)).isEqualTo(lines(1));

    Files.delete(out);
    Files.delete(dir);
    Files.delete(tmp.resolve("data"));
    w.offer(record(2));
    w.flush();

    assertThat(read(out)).isEqualTo(lines(2));
    assertThat(w.writtenCount()).isEqualTo(2);
  }

  @Test
  void rotatesOnceTheFileHasReachedTheLimitBeforeAWrite() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    long lineBytes = lines(0).getBytes(UTF_8).length;
    StatsWriter w = writer(out, HOUR, 2 * lineBytes, 100);

    w.offer(record(0));
    w.flush(); // new file: lineBytes
    w.offer(record(1));
    w.flush(); // lineBytes < limit before the write: appended, now exactly at the limit
    assertThat(read(out)).isEqualTo(lines(0, 1));
    assertThat(Files.size(out)).isEqualTo(2 * lineBytes);
    assertThat(siblings()).containsExactly("stats.jsonl");

    w.offer(record(2));
    w.flush(); // size == limit: rotated first

    assertThat(siblings()).containsExactly("stats.jsonl", "stats.jsonl.20260216120000");
    assertThat(read(tmp.resolve("stats.jsonl.20260216120000"))).isEqualTo(lines(0, 1));
    assertThat(read(out)).isEqualTo(lines(2));
    assertThat(w.writtenCount()).isEqualTo(3);
  }

  @Test
  void rotationNameCollisionsGetNumberedSuffixesAndRotatedFilesStayUntouched() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    StatsWriter w = writer(out, HOUR, 1, 100); // every non-empty file is full

    for (int i = 0; i < 4; i++) {
      w.offer(record(i));
      w.flush();
    }
    clock.advance(Duration.ofSeconds(1));
    w.offer(record(4));
    w.flush();

    assertThat(siblings())
        .containsExactly(
            "stats.jsonl",
            "stats.jsonl.20260216120000",
            "stats.jsonl.20260216120000-1",
            "stats.jsonl.20260216120000-2",
            "stats.jsonl.20260216120001");
    assertThat(read(tmp.resolve("stats.jsonl.20260216120000"))).isEqualTo(lines(0));
    assertThat(read(tmp.resolve("stats.jsonl.20260216120000-1"))).isEqualTo(lines(1));
    assertThat(read(tmp.resolve("stats.jsonl.20260216120000-2"))).isEqualTo(lines(2));
    assertThat(read(tmp.resolve("stats.jsonl.20260216120001"))).isEqualTo(lines(3));
    assertThat(read(out)).isEqualTo(lines(4));

    // A batch of several records goes into one file; older rotations are never rewritten.
    clock.advance(Duration.ofHours(1));
    w.offer(record(5));
    w.offer(record(6));
    w.flush();
    assertThat(read(tmp.resolve("stats.jsonl.20260216130001"))).isEqualTo(lines(4));
    assertThat(read(out)).isEqualTo(lines(5, 6));
    assertThat(read(tmp.resolve("stats.jsonl.20260216120000"))).isEqualTo(lines(0));
    assertThat(read(tmp.resolve("stats.jsonl.20260216120000-1"))).isEqualTo(lines(1));
    assertThat(read(tmp.resolve("stats.jsonl.20260216120000-2"))).isEqualTo(lines(2));
    assertThat(read(tmp.resolve("stats.jsonl.20260216120001"))).isEqualTo(lines(3));
    assertThat(siblings()).hasSize(6);
  }

  @Test
  void unwritableTargetKeepsRecordsUntilItIsFixedThenWritesEachOnce() throws IOException {
    Path dir = tmp.resolve("data");
    Path out = dir.resolve("stats.jsonl");
    Files.writeString(dir, "an operator put a file where the directory belongs\n");
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 5);

    try (LogCapture logs = new LogCapture(StatsWriter.class)) {
      for (int i = 0; i < 3; i++) {
        assertThat(w.offer(record(i))).isTrue();
      }
      w.flush();

      assertThat(w.writtenCount()).isZero();
      assertThat(w.pendingCount()).isEqualTo(3);
      assertThat(logs.messages(Level.ERROR))
          .containsExactly(
              "Cannot write usage records to "
                  + out
                  + ": "
                  + dir
                  + " exists and is not a directory. Records are kept and retried at every"
                  + " flush (queue capacity 5, 3 pending); requests are not affected.");

      // Requests go on: the queue takes records until it is full, then drops and counts.
      for (int i = 3; i < 9; i++) {
        assertThat(w.offer(record(i))).isEqualTo(i < 8);
      }
      assertThat(w.droppedCount()).isEqualTo(1);
      w.flush();
      w.flush();
      assertThat(logs.messages(Level.ERROR)).hasSize(1); // the same failure is reported once
      assertThat(w.pendingCount()).isEqualTo(8);
      assertThat(logs.messages(Level.INFO)).isEmpty();

      Files.delete(dir);
      w.flush();

      assertThat(read(out)).isEqualTo(lines(range(0, 8)));
      assertThat(w.writtenCount()).isEqualTo(8);
      assertThat(w.pendingCount()).isZero();
      assertThat(logs.messages(Level.INFO))
          .containsExactly("Writing usage records to " + out + " works again");

      w.flush();
      assertThat(read(out)).isEqualTo(lines(range(0, 8)));
    }
  }

  @Test
  void partialWriteIsTruncatedSoTheRetryDoesNotDuplicateLines() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    Files.writeString(out, lines(0));
    AtomicBoolean diskFull = new AtomicBoolean(true);
    StatsWriter w =
        track(
            new StatsWriter(
                out,
                HOUR,
                NO_ROTATION,
                100,
                clock,
                p -> {
                  FileChannel real = RotatingJsonlFile.DEFAULT_OPENER.open(p);
                  return diskFull.get() ? new DiskFullChannel(real, 100) : real;
                }));

    try (LogCapture logs = new LogCapture(StatsWriter.class)) {
      w.offer(record(1));
      w.offer(record(2));
      w.offer(record(3));
      w.flush();

      assertThat(read(out)).isEqualTo(lines(0));
      assertThat(w.pendingCount()).isEqualTo(3);
      assertThat(logs.messages(Level.ERROR))
          .containsExactly(
              "Cannot write usage records to "
                  + out
                  + ": No space left on device. Records are kept and retried at every flush"
                  + " (queue capacity 100, 3 pending); requests are not affected.");

      w.flush(); // still full: the second partial write is rolled back as well
      assertThat(read(out)).isEqualTo(lines(0));

      diskFull.set(false);
      w.offer(record(4));
      w.flush();

      assertThat(read(out)).isEqualTo(lines(0, 1, 2, 3, 4));
      assertThat(w.writtenCount()).isEqualTo(4);
      assertThat(logs.messages(Level.ERROR)).hasSize(1);
      assertThat(logs.messages(Level.INFO)).hasSize(1);
    }
  }

  @Test
  void fullQueueDropsCountsAndWarnsAtMostOncePerFlushInterval() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    Duration interval = Duration.ofSeconds(10);
    StatsWriter w = writer(out, interval, NO_ROTATION, 2);

    try (LogCapture logs = new LogCapture(StatsWriter.class)) {
      List<Boolean> accepted = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        accepted.add(w.offer(record(i)));
      }
      assertThat(accepted).containsExactly(true, true, false, false, false);
      assertThat(w.droppedCount()).isEqualTo(3);
      assertThat(logs.messages(Level.WARN)).isEmpty(); // never from the request thread

      w.flush();
      assertThat(read(out)).isEqualTo(lines(0, 1));
      assertThat(logs.messages(Level.WARN))
          .containsExactly(
              "Usage queue full (capacity 2): dropped 3 records since the last warning, 3 in"
                  + " total; the writer to "
                  + out
                  + " is falling behind");

      // More drops within the same interval: counted, but no second warning yet.
      w.offer(record(5));
      w.offer(record(6));
      assertThat(w.offer(record(7))).isFalse();
      clock.advance(interval.minusMillis(1));
      w.flush();
      assertThat(logs.messages(Level.WARN)).hasSize(1);
      assertThat(w.droppedCount()).isEqualTo(4);

      clock.advance(Duration.ofMillis(1));
      w.flush(); // a full interval since the warning: the held-back count is reported
      assertThat(logs.messages(Level.WARN))
          .hasSize(2)
          .last()
          .isEqualTo(
              "Usage queue full (capacity 2): dropped 1 records since the last warning, 4 in"
                  + " total; the writer to "
                  + out
                  + " is falling behind");

      clock.advance(interval);
      w.flush(); // nothing new dropped: nothing to say
      assertThat(logs.messages(Level.WARN)).hasSize(2);
      assertThat(read(out)).isEqualTo(lines(0, 1, 5, 6));
    }
  }

  @Test
  void dropsNotYetReportedAreWarnedOnClose() {
    StatsWriter w = writer(tmp.resolve("stats.jsonl"), HOUR, NO_ROTATION, 1);
    try (LogCapture logs = new LogCapture(StatsWriter.class)) {
      w.offer(record(0));
      w.offer(record(1));
      w.flush();
      w.offer(record(2));
      w.offer(record(3));

      w.close(); // within the interval, yet the last word on drops is not swallowed

      assertThat(logs.messages(Level.WARN)).hasSize(2);
      assertThat(logs.messages(Level.WARN).get(1)).contains("dropped 1 records", "2 in total");
    }
  }

  @Test
  void nullRecordIsDroppedNotThrown() {
    StatsWriter w = writer(tmp.resolve("stats.jsonl"), HOUR, NO_ROTATION, 10);

    assertThat(w.offer(null)).isFalse();

    assertThat(w.droppedCount()).isEqualTo(1);
    assertThat(w.pendingCount()).isZero();
  }

  @Test
  void startTerminatesAnIncompleteLastLineLeftByACrash() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    String torn = lines(0) + "{\"timestamp\":\"2026-02-16T11:59:59.000Z\",\"lmgate_";
    Files.writeString(out, torn);
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 10);

    try (LogCapture logs = new LogCapture(RotatingJsonlFile.class)) {
      w.start();

      assertThat(read(out)).isEqualTo(torn + "\n");
      assertThat(logs.messages(Level.WARN))
          .containsExactly(
              out
                  + " ended in an incomplete line (an earlier process stopped mid-write);"
                  + " appended a newline so new records start on their own line");
    }
    w.offer(record(1));
    w.close();

    assertThat(read(out)).isEqualTo(torn + "\n" + lines(1));
  }

  @Test
  void aFileEndingInANewlineIsLeftAsItIs() throws IOException {
    Path out = tmp.resolve("stats.jsonl");
    Files.writeString(out, lines(0));
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 10);

    w.start();
    w.close();

    assertThat(read(out)).isEqualTo(lines(0));
  }

  @Test
  void concurrentOffersProduceOnlyWholeLinesAndExactlyTheCountOffered() throws Exception {
    Path out = tmp.resolve("stats.jsonl");
    int threads = 4;
    int perThread = 5_000;
    StatsWriter w = writer(out, Duration.ofMillis(5), NO_ROTATION, threads * perThread);
    w.start();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * perThread;
      Thread p =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  w.offer(record(base + i));
                }
              });
      p.start();
      producers.add(p);
    }

    go.countDown();
    while (producers.stream().anyMatch(Thread::isAlive)) {
      w.flush(); // competes with the background thread: lines must still never interleave
    }
    for (Thread p : producers) {
      p.join();
    }
    w.close();

    String content = read(out);
    assertThat(content).endsWith("\n");
    String[] lines = content.split("\n");
    assertThat(lines).hasSize(threads * perThread);
    Set<String> ids = new HashSet<>();
    for (String line : lines) {
      JsonNode node = MAPPER.readTree(line);
      assertThat(node.size()).isEqualTo(20);
      ids.add(node.get("lmgate_id").textValue());
    }
    assertThat(ids).hasSize(threads * perThread);
    assertThat(w.writtenCount()).isEqualTo(threads * perThread);
    assertThat(w.droppedCount()).isZero();
  }

  @Test
  void backgroundThreadWritesWithoutAnExplicitFlush() throws Exception {
    Path out = tmp.resolve("stats.jsonl");
    StatsWriter w = writer(out, Duration.ofMillis(20), NO_ROTATION, 100);
    w.start();

    assertThat(writerThreads()).hasSize(1).allMatch(Thread::isDaemon);
    w.offer(record(1));
    w.offer(record(2));

    awaitTrue(() -> w.writtenCount() == 2);
    assertThat(read(out)).isEqualTo(lines(1, 2));
  }

  @Test
  void aLargeBatchWakesTheWriterBeforeItsInterval() throws Exception {
    Path out = tmp.resolve("stats.jsonl");
    StatsWriter w = writer(out, HOUR, NO_ROTATION, 10_000);
    w.start();

    for (int i = 0; i < StatsWriter.WAKE_BATCH; i++) {
      w.offer(record(i));
    }

    awaitTrue(() -> w.writtenCount() == StatsWriter.WAKE_BATCH);
    assertThat(read(out)).isEqualTo(lines(range(0, StatsWriter.WAKE_BATCH)));
  }

  @Test
  void rejectsNonPositiveSettings() {
    Path out = tmp.resolve("stats.jsonl");
    assertThatThrownBy(() -> new StatsWriter(out, Duration.ZERO, 1, 1, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("flush interval must be positive, got PT0S");
    assertThatThrownBy(() -> new StatsWriter(out, HOUR, 0, 1, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFileBytes must be positive, got 0");
    assertThatThrownBy(() -> new StatsWriter(out, HOUR, 1, -1, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueCapacity must be positive, got -1");
  }

  private List<String> siblings() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static List<Thread> writerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(StatsWriter.THREAD_NAME))
        .collect(Collectors.toList());
  }

  /** Waits for an effect of the background thread, up to a generous 10 s. */
  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 10 s for the writer thread").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
