package ai.numio.lmgate.forward;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client's request body as the upstream request reads it; remembers a failed read, so that a
 * client that went away during the upload is told apart from an upstream failure, and says when the
 * body has been read whole.
 */
final class ClientRequestBody extends FilterInputStream {

  private final long length;
  private final Runnable atEnd;
  private volatile IOException failure;
  private long count;
  private boolean ended;

  /**
   * {@code atEnd} runs once, when a read finds the end of the body or, for a body of a known {@code
   * length} (else -1), has read it all (a reader that knows the length need not read on to the
   * end).
   */
  ClientRequestBody(InputStream in, long length, Runnable atEnd) {
    super(in);
    this.length = length;
    this.atEnd = atEnd;
  }

  /** The exception a read from the client raised, or null if none did. */
  IOException failure() {
    return failure;
  }

  @Override
  public int read() throws IOException {
    try {
      int b = super.read();
      counted(b < 0 ? -1 : 1);
      return b;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = super.read(b, off, len);
      counted(n);
      return n;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /** Counts {@code read} bytes (-1: the end); runs {@code atEnd} at the body's end. */
  private synchronized void counted(int read) {
    if (read > 0) {
      count += read;
    }
    if (!ended && (read < 0 || (length >= 0 && count >= length))) {
      ended = true;
      atEnd.run();
    }
  }
}
