package ai.numio.lmgate.filter;

import ai.numio.lmgate.BodyPrefix;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;

/**
 * The request the application sees. Its changes: {@link #startAsync()} hands the async context this
 * request and the metering response, where the container would hand the unwrapped originals, so an
 * application writing through {@code asyncContext.getResponse()} is metered too; and when the core
 * read some of the body ahead (a model rule), the body is given back whole, those bytes first.
 */
final class MeteringRequest extends HttpServletRequestWrapper {

  private final MeteringResponse response;
  private final BodyPrefix readAhead;
  private ServletInputStream replayed;
  private boolean readerGiven;

  MeteringRequest(HttpServletRequest request, MeteringResponse response, BodyPrefix readAhead) {
    super(request);
    this.response = response;
    this.readAhead = readAhead;
  }

  @Override
  public ServletInputStream getInputStream() throws IOException {
    if (readAhead.isEmpty()) {
      return super.getInputStream();
    }
    if (readerGiven) {
      throw new IllegalStateException("getReader() was already called for this request");
    }
    if (replayed == null) {
      replayed = new ReplayedInputStream(readAhead, super.getInputStream());
    }
    return replayed;
  }

  @Override
  public BufferedReader getReader() throws IOException {
    if (readAhead.isEmpty()) {
      return super.getReader();
    }
    if (replayed != null && !readerGiven) {
      throw new IllegalStateException("getInputStream() was already called for this request");
    }
    if (replayed == null) {
      replayed = new ReplayedInputStream(readAhead, super.getInputStream());
    }
    readerGiven = true;
    return new BufferedReader(new InputStreamReader(replayed, charset()));
  }

  private Charset charset() throws UnsupportedEncodingException {
    String name = getCharacterEncoding();
    if (name == null) {
      // JSON is UTF-8 (RFC 8259), as containers assume for it; else the servlet default
      String type = getContentType();
      return type != null && type.toLowerCase(Locale.ROOT).contains("json")
          ? StandardCharsets.UTF_8
          : StandardCharsets.ISO_8859_1;
    }
    try {
      return Charset.forName(name);
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new UnsupportedEncodingException(name);
    }
  }

  @Override
  public AsyncContext startAsync() {
    return getRequest().startAsync(this, response);
  }
}
