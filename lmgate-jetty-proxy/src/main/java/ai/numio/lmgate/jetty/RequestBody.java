package ai.numio.lmgate.jetty;

import ai.numio.lmgate.Failure;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;

/**
 * The client's request body streamed to the upstream as it is read, in buffers taken from the proxy
 * client's pool. Jetty's own {@code ProxyInputStreamRequestContent} allocates a fresh 4 KiB buffer
 * for every read, a fifth of all the gateway allocated per request under load.
 */
final class RequestBody extends InputStreamRequestContent {

  private static final int BUFFER_BYTES = 4096;

  private final long length;
  private final ProxiedExchange proxied;

  /** The buffers request bodies are read into, taken from (and returned to) {@code pool}. */
  static ByteBufferPool.Sized buffers(ByteBufferPool pool) {
    return new ByteBufferPool.Sized(pool, false, BUFFER_BYTES);
  }

  RequestBody(HttpServletRequest request, ProxiedExchange proxied, ByteBufferPool.Sized buffers)
      throws IOException {
    super(null, proxied.readAhead.followedBy(request.getInputStream()), buffers);
    this.length = request.getContentLengthLong();
    this.proxied = proxied;
  }

  @Override
  public long getLength() {
    return length; // -1 when unknown: the upstream request is then chunked
  }

  @Override
  public Content.Chunk read() {
    Content.Chunk chunk = super.read();
    if (Content.Chunk.isFailure(chunk)) {
      // the body broke off or is malformed: the client's failure, not the upstream's
      proxied.exchange.noteFailure(
          isMalformed(chunk.getFailure())
              ? Failure.MALFORMED_REQUEST_BODY
              : Failure.CLIENT_DISCONNECTED);
      if (!chunk.isLast()) {
        fail(chunk.getFailure()); // and it does not get another read
      }
    }
    return chunk;
  }

  /** Whether Jetty refused the body as malformed (a 4xx: bad chunking, short of its length). */
  static boolean isMalformed(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
        return true;
      }
    }
    return false;
  }
}
