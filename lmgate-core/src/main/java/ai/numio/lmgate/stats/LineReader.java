package ai.numio.lmgate.stats;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a stream as {@code \n}-terminated lines of bytes, holding at most one line of up to {@code
 * maxLineBytes}: a longer line is skipped to its end and reported as {@link #tooLong()}, so a file
 * without line breaks never fills the memory. The last line need not be terminated.
 */
public final class LineReader {

  private static final int CHUNK = 64 * 1024;
  private static final int INITIAL_LINE = 4 * 1024;

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] chunk = new byte[CHUNK];
  private int chunkPos;
  private int chunkEnd;
  private boolean eof;

  private byte[] line = new byte[INITIAL_LINE];
  private int lineLength;
  private boolean tooLong;
  private long lineNumber;

  public LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Advances to the next line; false at the end of the stream. An empty stream has no lines, and a
   * final {@code \n} does not start another one.
   */
  public boolean next() throws IOException {
    lineLength = 0;
    tooLong = false;
    boolean any = false;
    while (true) {
      if (chunkPos == chunkEnd) {
        if (!fill()) {
          if (any) {
            lineNumber++;
          }
          return any;
        }
      }
      any = true;
      int start = chunkPos;
      int newline = indexOfNewline(start, chunkEnd);
      int end = newline < 0 ? chunkEnd : newline;
      append(start, end - start);
      chunkPos = newline < 0 ? chunkEnd : newline + 1;
      if (newline >= 0) {
        lineNumber++;
        return true;
      }
    }
  }

  /** The current line's bytes, from 0 to {@link #length()}; without the {@code \n}. */
  public byte[] bytes() {
    return line;
  }

  /** The current line's length; 0 if it was {@link #tooLong()}. */
  public int length() {
    return lineLength;
  }

  /** True if the current line exceeded the limit; its bytes were not kept. */
  public boolean tooLong() {
    return tooLong;
  }

  /** The 1-based number of the current line. */
  public long lineNumber() {
    return lineNumber;
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = in.read(chunk, 0, CHUNK);
    while (n == 0) {
      n = in.read(chunk, 0, CHUNK);
    }
    if (n < 0) {
      eof = true;
      return false;
    }
    chunkPos = 0;
    chunkEnd = n;
    return true;
  }

  private int indexOfNewline(int from, int to) {
    for (int i = from; i < to; i++) {
      if (chunk[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void append(int from, int count) {
    if (tooLong || count == 0) {
      return;
    }
    if ((long) lineLength + count > maxLineBytes) {
      tooLong = true;
      lineLength = 0;
      return;
    }
    if (lineLength + count > line.length) {
      int capacity = (int) Math.min(maxLineBytes, Math.max(2L * line.length, lineLength + count));
      line = Arrays.copyOf(line, capacity);
    }
    System.arraycopy(chunk, from, line, lineLength, count);
    lineLength += count;
  }
}
