package ai.numio.lmgate.filter;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;

/**
 * The response's output stream as the application sees it: every write goes straight to the
 * container's stream (no buffer added), and what the container accepted is fed to the meter. The
 * first write or flush announces the response head.
 */
final class MeteringOutputStream extends ServletOutputStream {

  private final ServletOutputStream out;
  private final MeteredExchange metered;

  MeteringOutputStream(ServletOutputStream out, MeteredExchange metered) {
    this.out = out;
    this.metered = metered;
  }

  @Override
  public void write(int b) throws IOException {
    metered.head();
    metered.beforeBytes();
    try {
      out.write(b);
    } catch (IOException e) {
      metered.clientGone();
      throw e;
    }
    metered.bytes(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    metered.head();
    metered.beforeBytes();
    try {
      out.write(bytes, offset, length);
    } catch (IOException e) {
      metered.clientGone();
      throw e;
    }
    metered.bytes(bytes, offset, length);
  }

  @Override
  public void flush() throws IOException {
    metered.head();
    try {
      out.flush();
    } catch (IOException e) {
      metered.clientGone();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    metered.head();
    try {
      out.close();
    } catch (IOException e) {
      metered.clientGone();
      throw e;
    }
  }

  @Override
  public boolean isReady() {
    return out.isReady();
  }

  @Override
  public void setWriteListener(WriteListener listener) {
    out.setWriteListener(listener);
  }
}
