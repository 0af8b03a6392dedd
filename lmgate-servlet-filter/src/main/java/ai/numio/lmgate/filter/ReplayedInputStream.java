package ai.numio.lmgate.filter;

import ai.numio.lmgate.BodyPrefix;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The request body as the application reads it after the core read some of it ahead (to find the
 * model a policy rule needs): the bytes read ahead first, then the container's stream. Blocking
 * reads and {@link #setReadListener non-blocking reads} both see the whole body, byte for byte.
 */
final class ReplayedInputStream extends ServletInputStream {

  private final ByteBuffer prefix;
  private final ServletInputStream rest;

  ReplayedInputStream(BodyPrefix readAhead, ServletInputStream rest) {
    this.prefix = readAhead.buffer();
    this.rest = rest;
  }

  @Override
  public int read() throws IOException {
    if (prefix.hasRemaining()) {
      return prefix.get() & 0xff;
    }
    return rest.read();
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (prefix.hasRemaining()) {
      int n = Math.min(length, prefix.remaining());
      prefix.get(bytes, offset, n);
      return n;
    }
    return rest.read(bytes, offset, length);
  }

  @Override
  public int available() throws IOException {
    return prefix.hasRemaining() ? prefix.remaining() : rest.available();
  }

  @Override
  public boolean isFinished() {
    return !prefix.hasRemaining() && rest.isFinished();
  }

  @Override
  public boolean isReady() {
    return prefix.hasRemaining() || rest.isReady();
  }

  /**
   * The container calls the listener for its own stream; the bytes read ahead are offered first:
   * when the container says its data is available (or all read), the application reads the prefix
   * too, since {@link #isReady()} is true while any of it remains.
   */
  @Override
  public void setReadListener(ReadListener listener) {
    rest.setReadListener(
        new ReadListener() {
          @Override
          public void onDataAvailable() throws IOException {
            listener.onDataAvailable();
          }

          @Override
          public void onAllDataRead() throws IOException {
            if (prefix.hasRemaining()) {
              listener.onDataAvailable();
            }
            listener.onAllDataRead();
          }

          @Override
          public void onError(Throwable failure) {
            listener.onError(failure);
          }
        });
  }
}
