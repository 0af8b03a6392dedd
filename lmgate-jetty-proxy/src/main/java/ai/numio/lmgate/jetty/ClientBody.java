package ai.numio.lmgate.jetty;

import ai.numio.lmgate.BodyPrefix;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;

/**
 * A core request's body, twice: as the core reads it ahead to find the model ({@link #read}, which
 * blocks its pool thread the way the servlet form's read-ahead does), then as the upstream reads it
 * ({@link #forwarded}: a demand-driven source — what was read ahead, the rest of the chunk it was
 * read from, then the request's own chunks as they come, none copied).
 */
final class ClientBody implements ai.numio.lmgate.RequestBody {

  private final Request request;

  /** The chunk the read-ahead stopped in (retained), if it has bytes left or was the last. */
  private Content.Chunk current;

  ClientBody(Request request) {
    this.request = request;
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    while (true) {
      if (current != null) {
        ByteBuffer buffer = current.getByteBuffer();
        if (buffer.hasRemaining()) {
          int n = Math.min(length, buffer.remaining());
          buffer.get(bytes, offset, n);
          return n;
        }
        if (current.isLast()) {
          return -1;
        }
        current.release();
        current = null;
      }
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        try (Blocker.Runnable blocker = Blocker.runnable()) {
          request.demand(blocker);
          blocker.block();
        }
        continue;
      }
      if (Content.Chunk.isFailure(chunk)) {
        throw new IOException("the request body could not be read", chunk.getFailure());
      }
      current = chunk;
    }
  }

  /**
   * The whole body as it goes upstream: {@code readAhead}, then the rest.
   *
   * @param onWhole runs once the client's last chunk has been read
   */
  Content.Source forwarded(BodyPrefix readAhead, Exchange exchange, Runnable onWhole) {
    Content.Chunk first =
        readAhead.length() > 0 ? Content.Chunk.from(readAhead.buffer(), false) : null;
    Content.Chunk rest = current;
    current = null;
    return new Forwarded(request, first, rest, exchange, onWhole);
  }

  /** The body as the upstream reads it. Read by one reader at a time (Content.Source's rule). */
  private static final class Forwarded implements Content.Source {
    private final Request request;
    private final Exchange exchange;
    private final Runnable onWhole;
    private Content.Chunk first;
    private Content.Chunk rest;
    private boolean ended;

    Forwarded(
        Request request,
        Content.Chunk first,
        Content.Chunk rest,
        Exchange exchange,
        Runnable onWhole) {
      this.request = request;
      this.first = first;
      this.rest = rest;
      this.exchange = exchange;
      this.onWhole = onWhole;
    }

    @Override
    public Content.Chunk read() {
      Content.Chunk chunk;
      synchronized (this) {
        if (first != null) {
          chunk = first;
          first = null;
          return chunk;
        }
        if (rest != null) {
          chunk = rest;
          rest = null;
        } else if (ended) {
          return Content.Chunk.EOF;
        } else {
          chunk = null;
        }
      }
      if (chunk == null) {
        chunk = request.read();
        if (chunk == null) {
          return null;
        }
      }
      if (Content.Chunk.isFailure(chunk)) {
        // the body broke off or is malformed: the client's failure, not the upstream's
        exchange.noteFailure(
            RequestBody.isMalformed(chunk.getFailure())
                ? Failure.MALFORMED_REQUEST_BODY
                : Failure.CLIENT_DISCONNECTED);
        return chunk;
      }
      if (chunk.isLast()) {
        synchronized (this) {
          ended = true;
        }
        onWhole.run();
      }
      return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
      boolean ready;
      synchronized (this) {
        ready = first != null || rest != null || ended;
      }
      if (ready) {
        demandCallback.run();
      } else {
        request.demand(demandCallback);
      }
    }

    @Override
    public void fail(Throwable failure) {
      Content.Chunk unread;
      synchronized (this) {
        unread = rest;
        rest = null;
        first = null;
        ended = true;
      }
      if (unread != null) {
        unread.release();
      }
    }
  }
}
