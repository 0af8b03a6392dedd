package ai.numio.lmgate.filter;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;

/**
 * The response the application writes to: its bytes (through {@link #getOutputStream()} or {@link
 * #getWriter()}) pass on to the container at once and are metered on the way; the head is announced
 * to the meter when it is decided (first byte, flush, error, redirect).
 *
 * <p>The writer encodes with the response's character encoding, fixed when the writer is first
 * obtained, as a container's own writer does; later attempts to change the encoding are ignored.
 */
final class MeteringResponse extends HttpServletResponseWrapper {

  private final MeteredExchange metered;
  private MeteringOutputStream stream;
  private PrintWriter writer;
  private String writerEncoding;
  private boolean streamUsed;

  MeteringResponse(HttpServletResponse response, MeteredExchange metered) {
    super(response);
    this.metered = metered;
  }

  @Override
  public synchronized ServletOutputStream getOutputStream() throws IOException {
    if (writer != null) {
      throw new IllegalStateException("getWriter() has already been called for this response");
    }
    streamUsed = true;
    return meteringStream();
  }

  @Override
  public synchronized PrintWriter getWriter() throws IOException {
    if (writer != null) {
      return writer;
    }
    if (streamUsed) {
      throw new IllegalStateException(
          "getOutputStream() has already been called for this response");
    }
    String encoding = getCharacterEncoding();
    if (encoding == null) {
      encoding = "ISO-8859-1"; // the servlet default when a container reports none
    }
    Charset charset;
    try {
      charset = Charset.forName(encoding);
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new UnsupportedEncodingException(encoding);
    }
    super.setCharacterEncoding(encoding); // the header names the charset the writer uses
    writerEncoding = encoding;
    writer = new PrintWriter(new UnbufferedWriter(meteringStream(), charset), false);
    return writer;
  }

  @Override
  public synchronized void setCharacterEncoding(String encoding) {
    if (writer == null) {
      super.setCharacterEncoding(encoding);
    }
  }

  @Override
  public synchronized void setContentType(String type) {
    super.setContentType(type);
    if (writer != null && type != null) {
      super.setCharacterEncoding(writerEncoding); // a charset in the type must not change it
    }
  }

  @Override
  public synchronized void reset() {
    super.reset();
    writer = null;
    writerEncoding = null;
    streamUsed = false;
  }

  @Override
  public void flushBuffer() throws IOException {
    metered.head(); // the writer holds no bytes of its own: nothing to push first
    try {
      super.flushBuffer();
    } catch (IOException e) {
      metered.clientGone();
      throw e;
    }
  }

  @Override
  public void sendError(int status, String message) throws IOException {
    super.sendError(status, message);
    metered.head();
  }

  @Override
  public void sendError(int status) throws IOException {
    super.sendError(status);
    metered.head();
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    super.sendRedirect(location);
    metered.head();
  }

  private MeteringOutputStream meteringStream() throws IOException {
    if (stream == null) {
      stream = new MeteringOutputStream(super.getOutputStream(), metered);
    }
    return stream;
  }
}
