package ai.numio.lmgate.jetty.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.Content;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request sent upstream: its head, its body as far as a retry may need it, the retry decision,
 * and the response body source handed to the listener (backed by whichever connection carries the
 * exchange). At most two attempts, the second on a fresh connection and only as {@code
 * shared/SPEC-2.md} §17 allows.
 */
final class LeanExchange implements UpstreamExchange, Content.Source {

  private static final Logger LOG = LoggerFactory.getLogger(LeanExchange.class);

  /** The header the official SDKs send; a request carrying it may be sent twice (§17). */
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  /** A body larger than this is never kept for a retry. */
  static final int MAX_REPLAY_BYTES = 64 * 1024;

  final LeanUpstream upstream;
  final OriginPool pool;
  final UpstreamListener listener;
  final MetaData.Request head;
  final boolean idempotent;
  private final Content.Source body;

  private volatile Content.Chunk ended; // what read() gives once no connection carries the body

  // guarded by this
  private int attempts = 1;
  private boolean told;
  private boolean aborted;
  private LeanConnection connection;
  private Throwable firstFailure;
  private boolean firstWritten;
  private long responseLength = -1;

  // the request body, touched by one attempt's writer at a time
  private Content.Chunk replay; // read from the source but not written: sent first next time
  private byte[] copy; // the body read so far, while it may still be needed for a retry
  private int copyLength;
  private boolean sourceEnded;
  private long bodyBytes; // read from the source so far
  private boolean bodyReleased; // a written chunk went back to the client's source
  private boolean replayCopy;
  private Runnable bodyTarget;
  private boolean bodyDemanded;

  // serialises the listener's demand callbacks (no recursion, one at a time)
  private boolean invoking;
  private Runnable queued;

  LeanExchange(
      LeanUpstream upstream, OriginPool pool, UpstreamRequest request, UpstreamListener l) {
    this.upstream = upstream;
    this.pool = pool;
    this.listener = l;
    this.body = request.body();
    HttpFields headers = request.headers();
    this.idempotent = headers.contains(IDEMPOTENCY_KEY);
    if (!headers.contains(HttpHeader.HOST) || headers.contains(HttpHeader.EXPECT)) {
      HttpFields.Mutable fixed = HttpFields.build(headers);
      fixed.remove(HttpHeader.EXPECT); // the body is sent at once; no interim 100 is awaited
      if (!fixed.contains(HttpHeader.HOST)) {
        fixed.put(HttpHeader.HOST, pool.authority());
      }
      headers = fixed;
    }
    long length = body == null ? -1 : request.contentLength();
    this.head =
        new MetaData.Request(
            request.method(),
            HttpURI.from(request.target()),
            HttpVersion.HTTP_1_1,
            headers,
            length);
    if (idempotent && body != null && length <= MAX_REPLAY_BYTES) {
      copy = new byte[length >= 0 ? (int) length : 1024];
    }
  }

  boolean hasBody() {
    return body != null;
  }

  boolean isHead() {
    return "HEAD".equals(head.getMethod());
  }

  // ---- the request body, for the current attempt's writer ----

  /** The next body chunk: a chunk handed back by a failed attempt first, else the source's. */
  Content.Chunk readBody() {
    synchronized (this) {
      if (replayCopy) {
        replayCopy = false;
        return Content.Chunk.from(ByteBuffer.wrap(copy, 0, copyLength), true);
      }
      if (replay != null) {
        Content.Chunk chunk = replay;
        replay = null;
        return chunk;
      }
      if (sourceEnded) {
        return Content.Chunk.EOF;
      }
    }
    Content.Chunk chunk = body.read();
    if (chunk == null || Content.Chunk.isFailure(chunk)) {
      return chunk;
    }
    synchronized (this) {
      sourceEnded = chunk.isLast();
      bodyBytes += chunk.remaining();
      if (copy != null) {
        keep(chunk.getByteBuffer());
      }
    }
    return chunk;
  }

  private void keep(ByteBuffer bytes) {
    int n = bytes.remaining();
    if (copyLength + n > MAX_REPLAY_BYTES) {
      copy = null; // too big to hold: a written body can no longer be sent again
      return;
    }
    if (copyLength + n > copy.length) {
      byte[] larger =
          new byte[Math.min(MAX_REPLAY_BYTES, Math.max(copy.length * 2, copyLength + n))];
      System.arraycopy(copy, 0, larger, 0, copyLength);
      copy = larger;
    }
    bytes.duplicate().get(copy, copyLength, n);
    copyLength += n;
  }

  /** Calls {@code target} once the body source may have more (one demand at the source at most). */
  void demandBody(Runnable target) {
    boolean register;
    synchronized (this) {
      bodyTarget = target;
      register = !bodyDemanded;
      bodyDemanded = true;
    }
    if (register) {
      body.demand(this::onBodyAvailable);
    }
  }

  private void onBodyAvailable() {
    Runnable target;
    synchronized (this) {
      bodyDemanded = false;
      target = bodyTarget;
      bodyTarget = null;
    }
    if (target != null) {
      target.run();
    }
  }

  /** A chunk a failed attempt could not write: the next attempt sends it first. */
  void unread(Content.Chunk chunk) {
    synchronized (this) {
      if (!told && !aborted) {
        replay = chunk;
        return;
      }
    }
    chunk.release();
  }

  /** A chunk was written: it goes back to its source. */
  void written(Content.Chunk chunk) {
    synchronized (this) {
      bodyReleased = true;
    }
    chunk.release();
  }

  // ---- attempts ----

  /** The attempt's connection is bound to this exchange; false if it was aborted meanwhile. */
  synchronized boolean bound(LeanConnection c) {
    if (aborted || told) {
      return false;
    }
    connection = c;
    return true;
  }

  /** The response head arrived: true if the listener is to be told (it was not aborted). */
  synchronized boolean tellHead(long length) {
    if (told || aborted) {
      return false;
    }
    told = true;
    responseLength = length;
    return true;
  }

  /**
   * An attempt failed before a response head: retried once on a fresh connection when §17 allows,
   * else the listener is told.
   *
   * @param reused the attempt ran on a connection that had served a response before
   * @param written some of the request was written (a write was started)
   * @param writeCompleted a write of the request completed
   * @param responseByte a byte of response arrived
   */
  void attemptFailed(
      Throwable failure,
      boolean reused,
      boolean written,
      boolean writeCompleted,
      boolean responseByte) {
    Throwable report = null;
    Content.Chunk drop = null;
    synchronized (this) {
      connection = null;
      if (told || aborted) {
        return;
      }
      if (attempts == 1 && retryable(failure, reused, written, writeCompleted, responseByte)) {
        attempts = 2;
        firstFailure = failure;
        firstWritten = written;
        if (bodyReleased) {
          replayCopy = true; // retryable() checked the copy is whole
          drop = replay;
          replay = null;
        }
      } else {
        told = true;
        report = reportable(failure);
        drop = replay;
        replay = null;
      }
    }
    if (drop != null) {
      drop.release();
    }
    if (report == null) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("retrying {} {} on a fresh connection after {}", head.getMethod(), pool, failure);
      }
      upstream.connect(this);
    } else {
      listener.onFailure(report);
    }
  }

  private boolean retryable(
      Throwable failure,
      boolean reused,
      boolean written,
      boolean writeCompleted,
      boolean responseByte) {
    if (!(failure instanceof IOException) || failure instanceof SSLException) {
      return false; // timeouts, bad responses, TLS failures: never again
    }
    if (reused && !writeCompleted && !bodyReleased) {
      return true; // the reused connection was dead before the request got onto it
    }
    if (!written || responseByte || !idempotent || bodyBytes > MAX_REPLAY_BYTES) {
      return false;
    }
    return !bodyReleased || (copy != null && sourceEnded);
  }

  /** The second attempt could not connect after the first wrote: report the first's failure. */
  private Throwable reportable(Throwable failure) {
    if (attempts == 2 && firstWritten && isUnreachable(failure)) {
      firstFailure.addSuppressed(failure);
      return firstFailure;
    }
    return failure;
  }

  static boolean isUnreachable(Throwable t) {
    return t instanceof ConnectException
        || t instanceof UnknownHostException
        || t instanceof NoRouteToHostException
        || t instanceof UnresolvedAddressException
        || t instanceof SSLException;
  }

  synchronized int attempts() {
    return attempts;
  }

  synchronized boolean isAborted() {
    return aborted;
  }

  // ---- UpstreamExchange ----

  @Override
  public void abort(Throwable cause) {
    LeanConnection c;
    boolean tell;
    synchronized (this) {
      if (aborted || ended == Content.Chunk.EOF) {
        return;
      }
      aborted = true;
      tell = !told;
      told = true;
      c = connection;
    }
    if (c != null) {
      c.abort(this, cause);
    }
    if (ended == null) {
      ended = Content.Chunk.from(cause, true);
    }
    if (tell) {
      listener.onFailure(cause);
    }
  }

  // ---- the response body ----

  void end(Content.Chunk chunk) {
    ended = chunk;
  }

  Content.Chunk ended() {
    Content.Chunk chunk = ended;
    return chunk == null ? Content.Chunk.EOF : chunk;
  }

  @Override
  public Content.Chunk read() {
    Content.Chunk done = ended;
    if (done != null) {
      return done;
    }
    LeanConnection c;
    synchronized (this) {
      c = connection;
    }
    return c == null ? ended() : c.read(this);
  }

  @Override
  public void demand(Runnable demandCallback) {
    LeanConnection c;
    synchronized (this) {
      c = connection;
    }
    if (ended != null || c == null) {
      invokeDemand(demandCallback);
    } else {
      c.demand(this, demandCallback);
    }
  }

  /** Runs a demand callback, never inside another one of this exchange (they queue instead). */
  void invokeDemand(Runnable callback) {
    synchronized (this) {
      if (invoking) {
        queued = callback;
        return;
      }
      invoking = true;
    }
    Runnable next = callback;
    while (next != null) {
      try {
        next.run();
      } catch (Throwable x) {
        LOG.warn("response body demand callback failed", x);
      }
      synchronized (this) {
        next = queued;
        queued = null;
        if (next == null) {
          invoking = false;
        }
      }
    }
  }

  @Override
  public void fail(Throwable failure) {
    abort(failure);
  }

  @Override
  public synchronized long getLength() {
    return responseLength;
  }

  @Override
  public String toString() {
    return "LeanExchange[" + head.getMethod() + " " + pool + head.getHttpURI() + "]";
  }
}
