package ai.numio.lmgate.forward;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client's request body as the upstream request reads it; remembers a failed read, so that a
 * client that went away during the upload is told apart from an upstream failure.
 */
final class ClientRequestBody extends FilterInputStream {

  private volatile IOException failure;

  ClientRequestBody(InputStream in) {
    super(in);
  }

  /** The exception a read from the client raised, or null if none did. */
  IOException failure() {
    return failure;
  }

  @Override
  public int read() throws IOException {
    try {
      return super.read();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return super.read(b, off, len);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }
}
