package ai.numio.lmgate.dashboard;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.stats.LineReader;
import ai.numio.lmgate.stats.StatsFiles;
import ai.numio.lmgate.stats.UsageRecord;
import ai.numio.lmgate.stats.UsageRecordReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the aggregate the records the stats files held before this process wrote any: the
 * configured {@code stats.output_path} and its rotated siblings (as {@code lmgate report} finds
 * them), those rotated in the last 31 days.
 *
 * <p>No record is counted twice: {@link #snapshot} is taken before the first request is served,
 * with the aggregate already observing. It lists the rotated files, which never change again, and
 * opens the live file, noting its size; only those bytes are read. Whatever this process writes
 * later lies past that size, and a rotation meanwhile only renames the file the open channel still
 * reads. Reading runs on a thread of its own after the listener is up ({@link #startInBackground}).
 */
public final class HistorySeeder implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HistorySeeder.class);

  /** The longest range; files rotated before it hold nothing the page shows. */
  static final Duration KEPT = Duration.ofDays(31);

  /** Lines longer than this are not records (a record is a few hundred bytes). */
  static final int MAX_LINE_BYTES = 1 << 20;

  static final String THREAD_NAME = "lmgate-ui-history";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);

  private final List<Path> rotated;
  private final Path livePath;
  private final FileChannel live; // null when there was no live file
  private final long liveSize;
  private final String listingFailure; // null when listed
  private volatile boolean closed;

  private HistorySeeder(
      List<Path> rotated, Path livePath, FileChannel live, long liveSize, String listingFailure) {
    this.rotated = rotated;
    this.livePath = livePath;
    this.live = live;
    this.liveSize = liveSize;
    this.listingFailure = listingFailure;
  }

  /**
   * Notes what to read: call it after the aggregate observes records and before the first record is
   * offered (before the listener accepts requests).
   */
  public static HistorySeeder snapshot(Path liveFile, TimeSource time) {
    Path file = liveFile.toAbsolutePath();
    Instant oldest = time.now().minus(KEPT);
    List<Path> rotated = new ArrayList<>();
    FileChannel channel = null;
    long size = 0;
    try {
      List<Path> found = StatsFiles.inOrder(file);
      for (Path p : found) {
        if (p.equals(file)) {
          channel = FileChannel.open(p, StandardOpenOption.READ);
          size = channel.size();
        } else if (!rotatedBefore(p, file, oldest)) {
          rotated.add(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      return new HistorySeeder(List.of(), file, null, 0, String.valueOf(e));
    }
    return new HistorySeeder(List.copyOf(rotated), file, channel, size, null);
  }

  /** Whether the name's rotation stamp says it was closed before {@code oldest}. */
  private static boolean rotatedBefore(Path p, Path live, Instant oldest) {
    String name = p.getFileName().toString();
    Matcher m =
        Pattern.compile(Pattern.quote(live.getFileName().toString()) + "\\.(\\d{14}).*")
            .matcher(name);
    if (!m.matches()) {
      return false;
    }
    try {
      return LocalDateTime.parse(m.group(1), STAMP).toInstant(ZoneOffset.UTC).isBefore(oldest);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** The files that will be read, oldest first (the live one last). */
  public List<Path> files() {
    List<Path> all = new ArrayList<>(rotated);
    if (live != null) {
      all.add(livePath);
    }
    return all;
  }

  /** Reads on a daemon thread of its own; returns the thread. */
  public Thread startInBackground(UsageAggregate aggregate) {
    aggregate.history().loading(files().size());
    Thread t = new Thread(() -> seed(aggregate), THREAD_NAME);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Reads every noted file into {@code aggregate}, on this thread. */
  public void seed(UsageAggregate aggregate) {
    History history = aggregate.history();
    history.loading(files().size());
    long started = System.nanoTime();
    Counter counter = new Counter(aggregate);
    if (listingFailure != null) {
      log.warn(
          "The dashboard cannot list the stats files beside {} ({}); it shows this process's"
              + " records only",
          livePath,
          listingFailure);
      history.finished(History.State.FAILED, 0);
      return;
    }
    try {
      for (Path p : rotated) {
        if (closed) {
          break;
        }
        try (InputStream in = Files.newInputStream(p)) {
          counter.read(in, p);
        } catch (IOException e) {
          log.warn("The dashboard could not read {}: {}", p, e.toString());
        }
      }
      if (live != null && !closed) {
        try (InputStream in = limited(Channels.newInputStream(live.position(0)), liveSize)) {
          counter.read(in, livePath);
        } catch (IOException e) {
          log.warn("The dashboard could not read {}: {}", livePath, e.toString());
        }
      }
    } finally {
      closeQuietly(live);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    history.progress(counter.records, counter.malformed);
    history.finished(History.State.DONE, millis);
    log.info(
        "Dashboard history: {} records from {} stats files in {} ms{}",
        counter.records,
        files().size(),
        millis,
        counter.malformed > 0 ? " (" + counter.malformed + " lines were not records)" : "");
  }

  /** Stops reading at the next file and releases the live file. */
  @Override
  public void close() {
    closed = true;
  }

  private static InputStream limited(InputStream in, long limit) {
    return new InputStream() {
      private long left = limit;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = in.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  /** Reads lines into the aggregate, counting records and other lines. */
  private final class Counter {
    final UsageAggregate aggregate;
    final UsageRecordReader reader = new UsageRecordReader();
    long records;
    long malformed;

    Counter(UsageAggregate aggregate) {
      this.aggregate = aggregate;
    }

    void read(InputStream in, Path p) throws IOException {
      LineReader lines = new LineReader(in, MAX_LINE_BYTES);
      while (lines.next() && !closed) {
        if (lines.tooLong()) {
          malformed++;
          continue;
        }
        if (blank(lines.bytes(), lines.length())) {
          continue;
        }
        UsageRecord r = reader.read(lines.bytes(), 0, lines.length());
        if (r == null) {
          malformed++;
        } else {
          aggregate.recorded(r, -1);
          records++;
          if ((records & 0xFFFF) == 0) {
            aggregate.history().progress(records, malformed);
          }
        }
      }
    }
  }

  private static boolean blank(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
