package ai.numio.lmgate.stats;

import ai.numio.lmgate.TimeSource;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage file on disk: appends whole batches of lines, rotates the file by size, creates the
 * directory, and keeps the file line-aligned after failures. Not thread-safe; one writer owns it.
 *
 * <p>The channel is opened on the first append and held until {@link #close()}, which the writer
 * calls after every flush, so a deleted directory or an externally moved file is noticed at the
 * next flush.
 */
final class RotatingJsonlFile implements Closeable {

  /** Opens the output file for reading (its last byte) and writing, creating it if missing. */
  interface Opener {
    FileChannel open(Path path) throws IOException;
  }

  static final Opener DEFAULT_OPENER =
      path ->
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

  private static final Logger log = LoggerFactory.getLogger(RotatingJsonlFile.class);

  private static final DateTimeFormatter ROTATION_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final int MAX_COLLISION_SUFFIX = 10_000;

  private final Path path;
  private final long maxFileBytes;
  private final TimeSource time;
  private final Opener opener;

  private FileChannel channel;
  private long size;

  RotatingJsonlFile(Path path, long maxFileBytes, TimeSource time, Opener opener) {
    this.path = path.toAbsolutePath();
    this.maxFileBytes = maxFileBytes;
    this.time = time;
    this.opener = opener;
  }

  Path path() {
    return path;
  }

  /**
   * Appends {@code lines} (whole lines, each ending in {@code \n}), first rotating the file if it
   * has reached the size limit. All or nothing: on failure the file is truncated back to its size
   * before this call, so a retry does not duplicate lines.
   */
  void append(ByteBuffer lines) throws IOException {
    FileChannel ch = open();
    if (size >= maxFileBytes) {
      closeChannel();
      rotate();
      ch = open();
    }
    long before = size;
    try {
      ch.position(before);
      while (lines.hasRemaining()) {
        ch.write(lines);
      }
      size = ch.position();
    } catch (IOException | RuntimeException e) {
      try {
        ch.truncate(before);
      } catch (IOException | RuntimeException t) {
        e.addSuppressed(t);
      }
      closeChannel();
      throw e;
    }
  }

  /**
   * Opens the file (creating its directory) so that an incomplete last line, left by a crash
   * mid-write, is terminated now rather than at the first append.
   */
  void prepare() throws IOException {
    open();
  }

  /** Releases the file; the next append opens it again. */
  @Override
  public void close() {
    closeChannel();
  }

  private FileChannel open() throws IOException {
    if (channel != null) {
      return channel;
    }
    Path dir = path.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    FileChannel ch = opener.open(path);
    try {
      long length = ch.size();
      if (length > 0 && !endsWithNewline(ch, length)) {
        ch.write(ByteBuffer.wrap(new byte[] {'\n'}), length);
        length++;
        log.warn(
            "{} ended in an incomplete line (an earlier process stopped mid-write); appended a"
                + " newline so new records start on their own line",
            path);
      }
      size = length;
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
    channel = ch;
    return ch;
  }

  private static boolean endsWithNewline(FileChannel ch, long length) throws IOException {
    ByteBuffer last = ByteBuffer.allocate(1);
    while (last.hasRemaining()) {
      if (ch.read(last, length - 1) < 0) {
        return true; // shrank under us: nothing to terminate
      }
    }
    return last.get(0) == '\n';
  }

  /** Renames the full file to {@code <name>.<yyyyMMddHHmmss>}, adding -1, -2 … on collision. */
  private void rotate() throws IOException {
    String base = path.getFileName() + "." + ROTATION_STAMP.format(time.now());
    Path target = path.resolveSibling(base);
    for (int suffix = 1; ; suffix++) {
      if (!Files.exists(target)) {
        try {
          Files.move(path, target);
          log.info("Rotated usage file {} to {}", path, target.getFileName());
          return;
        } catch (FileAlreadyExistsException raced) {
          // created between the check and the move; try the next suffix
        }
      }
      if (suffix > MAX_COLLISION_SUFFIX) {
        throw new IOException(
            "cannot rotate " + path + ": " + base + " and its -1 … -" + suffix + " all exist");
      }
      target = path.resolveSibling(base + "-" + suffix);
    }
  }

  private void closeChannel() {
    FileChannel ch = channel;
    channel = null;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        log.debug("Closing {} failed", path, e);
      }
    }
  }
}
