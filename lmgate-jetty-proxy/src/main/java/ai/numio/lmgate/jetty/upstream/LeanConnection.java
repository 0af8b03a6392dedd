package ai.numio.lmgate.jetty.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection to an upstream, carrying one exchange at a time: the request written with
 * Jetty's {@link HttpGenerator} as the body source gives chunks, the response parsed with its
 * {@link HttpParser} only as far as the listener demands (the socket is read on demand, so a slow
 * client holds its upstream back), the body handed on as slices of the network buffer. Between
 * exchanges it sits in its {@link OriginPool} with the selector watching it, so an upstream close
 * while idle removes it at once.
 *
 * <p>Threads: the selector calls {@link #onFillable()} (non-blocking: no executor hop); the
 * listener reads and demands from its own threads; the request body's demand callbacks come from
 * the client's side. State is guarded by this object's lock, held only for bookkeeping; the
 * listener, the writer and the pool are called outside it.
 */
final class LeanConnection extends AbstractConnection.NonBlocking
    implements HttpParser.ResponseHandler {

  private static final Logger LOG = LoggerFactory.getLogger(LeanConnection.class);
  private static final int HEADER_BUFFER = 4096;
  private static final int MAX_HEADER_BUFFER = 64 * 1024;
  private static final int RESPONSE_BUFFER = 16 * 1024;
  private static final int MAX_RESPONSE_HEAD = 64 * 1024;

  private final OriginPool pool;
  private final ByteBufferPool buffers;
  private final long idleTimeoutMillis;
  private final long poolIdleMillis;
  private final HttpParser parser = new HttpParser(this, MAX_RESPONSE_HEAD);
  private final HttpGenerator generator = new HttpGenerator();
  private final ByteBuffer probe = BufferUtil.allocate(1);

  // guarded by this
  private LeanExchange exchange;
  private Writer writer;
  private boolean dead;
  private boolean secured; // the TLS handshake succeeded
  private boolean started; // the exchange's writer was started
  private boolean served; // a response was read to its end on this connection before
  private boolean reused; // the current exchange runs on a connection that served one before
  private long expiresAt; // System.nanoTime() after which it is not taken from the pool
  private RetainableByteBuffer network;
  private final ArrayDeque<Content.Chunk> chunks = new ArrayDeque<>(4);
  private Runnable demand;
  private Throwable parseFailure;
  private boolean interim;
  private int status;
  private HttpVersion version;
  private HttpFields.Mutable headers;
  private boolean headComplete;
  private boolean headTold;
  private boolean responseComplete;
  private boolean responseByte;
  private boolean eof;
  private Throwable failure;
  private boolean failureReported;
  private boolean writeIssued;
  private boolean writeCompleted;
  private boolean writeInFlight;
  private boolean writerSettled;
  private boolean requestDone;
  private boolean requestEnding; // the request's last bytes are being written
  private boolean awaitingWrite; // the response ended before them: pool once they are written

  LeanConnection(
      EndPoint endPoint, LeanUpstream upstream, OriginPool pool, ByteBufferPool buffers) {
    super(endPoint, upstream.executor());
    this.pool = pool;
    this.buffers = buffers;
    this.idleTimeoutMillis = upstream.settings().idleTimeout().toMillis();
    this.poolIdleMillis = upstream.settings().poolIdleTimeout().toMillis();
  }

  @Override
  public void onOpen() {
    super.onOpen();
    synchronized (this) {
      if (!isFillInterested()) {
        fillInterested();
      }
    }
  }

  // ---- starting an exchange ----

  /**
   * Takes a fresh connection's first exchange and starts writing; over TLS only once the handshake
   * succeeded, so a handshake failure is never taken for a request the upstream may have received.
   */
  void startFresh(LeanExchange ex) {
    Writer w;
    boolean start;
    synchronized (this) {
      w = bind(ex, false);
      start = w != null && (!pool.secure() || secured);
      if (start) {
        started = true;
      }
    }
    if (w == null) {
      close();
      if (!ex.isAborted()) { // the upstream closed the new connection before anything was sent
        ex.attemptFailed(
            new ConnectException("upstream " + pool + " closed a new connection at once"),
            false,
            false,
            false,
            false);
      }
    } else if (start) {
      w.iterate();
    } else {
      // an empty write makes the TLS layer send its hello; the handshake goes on as bytes come
      getEndPoint().write(Callback.from(() -> {}, this::fail), BufferUtil.EMPTY_BUFFER);
    }
  }

  /** Starts the request once the TLS handshake succeeded; reports the handshake's own failure. */
  SslHandshakeListener handshakes() {
    return new SslHandshakeListener() {
      @Override
      public void handshakeSucceeded(Event event) {
        handshook();
      }

      @Override
      public void handshakeFailed(Event event, Throwable cause) {
        fail(cause);
      }
    };
  }

  /** The TLS handshake succeeded: the request may go. */
  void handshook() {
    Writer w = null;
    synchronized (this) {
      secured = true;
      if (exchange != null && !started) {
        started = true;
        w = writer;
      }
    }
    if (w != null) {
      getExecutor().execute(w::iterate); // not from inside the TLS layer's own fill
    }
  }

  /**
   * Takes an exchange on a pooled connection if it is still good: not expired, not closed by the
   * upstream (a read that finds the end of stream or stray bytes says so), not aborted meanwhile.
   * False means the caller closes it and tries another.
   */
  boolean reuse(LeanExchange ex, long now) {
    Writer w;
    synchronized (this) {
      if (dead || exchange != null) {
        return false;
      }
      if (now - expiresAt >= 0) {
        dead = true;
        return false;
      }
      int n;
      try {
        n = getEndPoint().fill(probe);
      } catch (IOException x) {
        n = -1;
      }
      if (n != 0 || !getEndPoint().isOpen()) {
        dead = true;
        return false;
      }
      w = bind(ex, true);
      if (w == null) {
        return false;
      }
    }
    w.iterate();
    return true;
  }

  private Writer bind(LeanExchange ex, boolean pooled) {
    if (dead || !ex.bound(this)) {
      return null;
    }
    exchange = ex;
    started = pooled;
    reused = pooled && served;
    writer = new Writer(ex);
    chunks.clear();
    demand = null;
    parseFailure = null;
    interim = false;
    headers = null;
    version = null;
    headComplete = false;
    headTold = false;
    responseComplete = false;
    responseByte = false;
    failure = null;
    failureReported = false;
    writeIssued = false;
    writeCompleted = false;
    writeInFlight = false;
    writerSettled = false;
    requestDone = false;
    requestEnding = false;
    awaitingWrite = false;
    parser.reset();
    parser.setHeadResponse(ex.isHead());
    generator.reset();
    getEndPoint().setIdleTimeout(idleTimeoutMillis);
    if (!isFillInterested()) {
      fillInterested();
    }
    return writer;
  }

  // ---- reading ----

  @Override
  public void onFillable() {
    LeanExchange ex;
    Throwable f = null;
    boolean idleClosed = false;
    boolean tellHead = false;
    Runnable d = null;
    int st = 0;
    HttpFields h = null;
    synchronized (this) {
      ex = exchange;
      if (ex == null) {
        if (dead) {
          return;
        }
        int n;
        try {
          n = getEndPoint().fill(probe);
        } catch (IOException x) {
          n = -1;
        }
        if (n == 0) {
          fillInterested(); // TLS housekeeping, nothing for us
          return;
        }
        dead = true; // closed, or bytes no request asked for: never reused
        idleClosed = true;
      } else {
        f = produce(!headTold || demand != null);
        if (f == null) {
          if (headComplete && !headTold) {
            headTold = true;
            tellHead = true;
            st = status;
            h = headers;
          } else if (demand != null && !chunks.isEmpty()) {
            d = demand;
            demand = null;
          }
        }
      }
    }
    if (idleClosed) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} closed by the upstream while idle", this);
      }
      pool.remove(this);
      close();
      return;
    }
    if (f != null) {
      fail(f);
      return;
    }
    if (tellHead) {
      tellHead(ex, st, h);
    }
    if (d != null) {
      ex.invokeDemand(d);
    }
  }

  private void tellHead(LeanExchange ex, int st, HttpFields h) {
    if (ex.tellHead(h.getLongField(HttpHeader.CONTENT_LENGTH))) {
      ex.listener.onResponse(st, h, ex);
    }
  }

  /**
   * Parses what is buffered and reads more until something is ready for the listener (the head, a
   * body chunk, the end) or the socket has nothing more; under the lock.
   *
   * @param interest whether to ask the selector for more when the socket has nothing
   * @return the failure that ends the exchange, or null
   */
  private Throwable produce(boolean interest) {
    try {
      while (true) {
        if (failure != null || responseComplete || !chunks.isEmpty()) {
          return null;
        }
        if (headComplete && !headTold) {
          return null;
        }
        if (parseFailure != null) {
          return parseFailure; // the body parsed before the break has been read
        }
        RetainableByteBuffer net = network;
        ByteBuffer bytes = net == null ? BufferUtil.EMPTY_BUFFER : net.getByteBuffer();
        boolean handled = parser.parseNext(bytes); // even empty: a body-less response ends here
        if (parseFailure != null) {
          // what came before the break goes to the listener first (the meter counts it), then
          // the failure
          return chunks.isEmpty() ? parseFailure : null;
        }
        if (interim) { // a 1xx before the real head
          interim = false;
          headers = null;
          parser.reset();
          parser.setHeadResponse(exchange.isHead());
          continue;
        }
        if (handled || !chunks.isEmpty() || responseComplete || (headComplete && !headTold)) {
          continue;
        }
        if (bytes.hasRemaining()) {
          return new IOException("unparseable response from upstream " + pool);
        }
        if (eof) {
          return new EOFException(
              responseByte
                  ? "upstream closed the connection before the response ended"
                  : "upstream closed the connection without a response");
        }
        if (net == null) {
          net = network = buffers.acquire(RESPONSE_BUFFER, true);
        } else if (net.isRetained()) {
          net.release(); // chunks still reference it; they keep it
          net = network = buffers.acquire(RESPONSE_BUFFER, true);
        }
        int n = getEndPoint().fill(net.getByteBuffer());
        if (n > 0) {
          responseByte = true;
        } else if (n == 0) {
          net.release();
          network = null;
          if (interest && !isFillInterested()) {
            fillInterested();
          }
          return null;
        } else {
          eof = true;
          dead = true;
          net.release();
          network = null;
          if (!headComplete) {
            // no parse at EOF in the middle of a head: Jetty's response parser then throws an
            // exception built with the response's (non-error) status
            return new EOFException(
                responseByte
                    ? "upstream closed the connection in the middle of the response head"
                    : "upstream closed the connection without a response");
          }
          parser.atEOF(); // the next parse ends a body delimited by the close, or fails
        }
      }
    } catch (IOException | RuntimeException x) {
      return x;
    }
  }

  /** The listener reads the response body. */
  Content.Chunk read(LeanExchange ex) {
    Content.Chunk c;
    Throwable f = null;
    boolean complete = false;
    boolean keep = false;
    Writer w = null;
    synchronized (this) {
      if (exchange != ex || !headTold) {
        return ex.ended();
      }
      c = chunks.poll();
      if (c == null) {
        f = produce(false);
        c = chunks.poll();
      }
      if (c != null && c.isLast()) {
        complete = true;
        ex.end(Content.Chunk.EOF);
        exchange = null;
        boolean extra = network != null && network.hasRemaining();
        releaseNetwork();
        if (!requestDone && requestEnding && !extra && !dead) {
          awaitingWrite = true; // the last request bytes are being written: the writer decides
          complete = false;
        } else {
          if (!requestDone) {
            w = writer; // the upstream answered before the request ended: stop sending
          }
          writer = null;
          keep = !extra && reusableLocked();
          if (keep) {
            pooledLocked();
          } else {
            dead = true;
          }
        }
      }
    }
    if (f != null) {
      if (c != null) {
        c.release(); // the body broke: what came before the break is dropped with it
      }
      fail(f);
      return ex.ended();
    }
    if (complete) {
      if (keep) {
        pool.offer(this);
      } else {
        if (w != null) {
          w.abort(new IOException("response complete before the request"));
        }
        close();
      }
    }
    return c;
  }

  /** The listener wants to be called when the body has more. */
  void demand(LeanExchange ex, Runnable callback) {
    Throwable f = null;
    boolean ready;
    synchronized (this) {
      if (exchange != ex || !headTold) {
        ready = true;
      } else {
        demand = callback;
        if (chunks.isEmpty()) {
          f = produce(true);
        }
        ready = f == null && !chunks.isEmpty();
        if (ready) {
          demand = null;
        }
      }
    }
    if (f != null) {
      fail(f); // calls the demand with the failure
    } else if (ready) {
      ex.invokeDemand(callback);
    }
  }

  /** Readies the connection for the pool: idle watch on, idle timeout the pool's. */
  private void pooledLocked() {
    served = true;
    long keepMillis = keepAliveMillis();
    expiresAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(keepMillis);
    getEndPoint().setIdleTimeout(keepMillis);
    if (!isFillInterested()) {
      fillInterested();
    }
  }

  private boolean reusableLocked() {
    if (dead || eof || !requestDone || !generator.isPersistent()) {
      return false;
    }
    boolean persistent =
        version == HttpVersion.HTTP_1_1
            ? !headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString())
            : headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.KEEP_ALIVE.asString());
    return persistent && keepAliveMillis() > 0 && getEndPoint().isOpen();
  }

  /**
   * How long the connection may idle in the pool: {@code upstream.pool_idle_timeout_seconds}, or
   * one second less than the upstream's {@code Keep-Alive: timeout=N} if that is shorter (zero, so
   * not pooled, for N of 1 or less).
   */
  private long keepAliveMillis() {
    String keepAlive = headers.get(HttpHeader.KEEP_ALIVE);
    if (keepAlive == null) {
      return poolIdleMillis;
    }
    for (String part : keepAlive.split(",")) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
        try {
          long seconds = Long.parseLong(p.substring(8).trim());
          return seconds <= 1 ? 0 : Math.min(poolIdleMillis, (seconds - 1) * 1000);
        } catch (NumberFormatException x) {
          return poolIdleMillis;
        }
      }
    }
    return poolIdleMillis;
  }

  private void releaseNetwork() {
    if (network != null) {
      network.release();
      network = null;
    }
  }

  private void releaseChunks() {
    Content.Chunk c;
    while ((c = chunks.poll()) != null) {
      c.release();
    }
  }

  // ---- failures ----

  /**
   * The exchange on this connection broke (or the connection closed): it is closed and never
   * pooled. After the head, the listener gets a failure chunk; before it, the exchange decides
   * about a retry once the writer has let go of the body.
   */
  void fail(Throwable cause) {
    LeanExchange ex;
    Writer w = null;
    Runnable d = null;
    synchronized (this) {
      dead = true;
      ex = exchange;
      if (ex != null
          && failure != null
          && !failureReported
          && !headTold
          && cause instanceof SSLException
          && !(failure instanceof SSLException)) {
        failure = cause; // the handshake's reason, not the close it caused
      }
      if (ex != null && failure == null) {
        failure = cause;
        w = writer;
        if (headTold) {
          releaseChunks();
          releaseNetwork();
          ex.end(Content.Chunk.from(cause, true));
          exchange = null;
          writer = null;
          d = demand;
          demand = null;
        }
      }
    }
    getEndPoint().close(cause);
    if (w != null) {
      w.abort(cause);
    }
    if (d != null) {
      ex.invokeDemand(d);
    }
    reportIfSettled();
  }

  /** Tells the exchange of a failure before the head, once the writer has stopped. */
  private void reportIfSettled() {
    LeanExchange ex;
    Throwable f;
    boolean wasReused;
    boolean issued;
    boolean completed;
    boolean anyByte;
    synchronized (this) {
      if (exchange == null
          || failure == null
          || headTold
          || failureReported
          || !(writerSettled || writer == null)) {
        return;
      }
      failureReported = true;
      ex = exchange;
      exchange = null;
      writer = null;
      f = failure;
      wasReused = reused;
      issued = writeIssued;
      completed = writeCompleted;
      anyByte = responseByte;
      releaseChunks();
      releaseNetwork();
    }
    ex.attemptFailed(f, wasReused, issued, completed, anyByte);
  }

  /** The exchange was aborted: close, never pool, no retry. */
  void abort(LeanExchange ex, Throwable cause) {
    Writer w;
    Runnable d;
    synchronized (this) {
      if (exchange != ex) {
        return;
      }
      dead = true;
      failure = cause;
      failureReported = true;
      w = writer;
      writer = null;
      exchange = null;
      releaseChunks();
      releaseNetwork();
      ex.end(Content.Chunk.from(cause, true));
      d = headTold ? demand : null;
      demand = null;
    }
    getEndPoint().close(cause);
    if (w != null) {
      w.abort(cause);
    }
    if (d != null) {
      ex.invokeDemand(d);
    }
  }

  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    boolean idle;
    boolean handshaking;
    synchronized (this) {
      handshaking = !started;
      if (exchange == null) {
        idle = true;
        dead = true;
      } else {
        boolean waitingOnUpstream =
            !started
                || writeInFlight
                || (headTold ? demand != null : requestDone || !exchange.hasBody());
        if (!waitingOnUpstream) {
          return false; // waiting for the client (its body, or its reading): not ours to time
        }
        idle = false;
      }
    }
    if (idle) {
      pool.remove(this);
      close();
    } else if (handshaking) {
      fail(new ConnectException("TLS handshake with " + pool + " timed out"));
    } else {
      fail(
          new TimeoutException(
              "upstream "
                  + pool
                  + " silent for "
                  + idleTimeoutMillis
                  + " ms (upstream.idle_timeout_seconds)"));
    }
    return false;
  }

  @Override
  public void onFillInterestedFailed(Throwable cause) {
    fail(cause);
  }

  @Override
  public void onClose(Throwable cause) {
    super.onClose(cause);
    pool.remove(this);
    fail(cause != null ? cause : new EOFException("upstream connection closed"));
    synchronized (this) {
      if (exchange == null) { // nothing will read from it again
        releaseChunks();
        releaseNetwork();
      }
    }
  }

  // ---- HttpParser.ResponseHandler (called under the lock, from produce) ----

  @Override
  public void startResponse(HttpVersion v, int code, String reason) {
    version = v;
    status = code;
    headers = HttpFields.build();
  }

  @Override
  public void parsedHeader(HttpField field) {
    headers.add(field);
  }

  @Override
  public boolean headerComplete() {
    if (HttpStatus.isInterim(status) && status != HttpStatus.SWITCHING_PROTOCOLS_101) {
      return false; // skipped; messageComplete follows
    }
    headComplete = true;
    return true;
  }

  @Override
  public boolean content(ByteBuffer content) {
    network.retain();
    chunks.add(Content.Chunk.asChunk(content, false, network));
    return false; // keep parsing this buffer: its other chunks are slices of it too
  }

  @Override
  public boolean contentComplete() {
    return false;
  }

  @Override
  public boolean messageComplete() {
    if (!headComplete) {
      interim = true;
      return true;
    }
    Content.Chunk lastData = chunks.pollLast();
    chunks.add(
        lastData == null
            ? Content.Chunk.EOF
            : Content.Chunk.asChunk(lastData.getByteBuffer(), true, lastData));
    responseComplete = true;
    return true;
  }

  @Override
  public void earlyEOF() {
    parseFailure =
        new EOFException(
            headComplete
                ? "upstream closed the connection before the response ended"
                : "upstream closed the connection without a response");
  }

  @Override
  public void badMessage(HttpException cause) {
    parseFailure = new IOException("bad response from upstream " + pool, (Throwable) cause);
  }

  // ---- writing ----

  private synchronized boolean beginWrite(Writer w, boolean last) {
    if (writer != w || failure != null) {
      return false;
    }
    requestEnding |= last;
    writeIssued = true;
    writeInFlight = true;
    return true;
  }

  private synchronized void writeDone() {
    writeInFlight = false;
    writeCompleted = true;
  }

  private void writerSucceeded(Writer w) {
    boolean complete = false;
    boolean keep = false;
    synchronized (this) {
      if (writer != w) {
        return;
      }
      writerSettled = true;
      requestDone = true;
      writeInFlight = false;
      if (awaitingWrite) { // the response was read to its end first
        awaitingWrite = false;
        complete = true;
        writer = null;
        keep = reusableLocked();
        if (keep) {
          pooledLocked();
        } else {
          dead = true;
        }
      }
    }
    if (complete) {
      if (keep) {
        pool.offer(this);
      } else {
        close();
      }
      return;
    }
    reportIfSettled();
  }

  private void writerFailed(Writer w, Throwable cause, boolean fromBody) {
    LeanExchange ex;
    synchronized (this) {
      writeInFlight = false;
      if (writer != w) {
        return;
      }
      writerSettled = true;
      ex = exchange;
    }
    if (fromBody && ex != null) {
      ex.abort(cause); // the client's body broke: reported as it was given
    } else {
      fail(cause);
    }
  }

  /**
   * Writes one request: the head with the first body chunk, then each chunk as the source has it.
   */
  private final class Writer extends IteratingCallback {
    private final LeanExchange ex;
    private RetainableByteBuffer header;
    private RetainableByteBuffer chunkHead;
    private Content.Chunk chunk;
    private ByteBuffer content;
    private boolean last;
    private boolean headDone;
    private boolean anyWritten;
    private boolean finalWrite;
    private boolean written;
    private Throwable bodyFailure;

    Writer(LeanExchange ex) {
      this.ex = ex;
      this.last = !ex.hasBody();
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }

    @Override
    protected Action process() throws Throwable {
      if (written) {
        return Action.SUCCEEDED; // the connection may already carry another exchange
      }
      while (true) {
        if (chunk == null && !last) {
          Content.Chunk c = ex.readBody();
          if (c == null) {
            ex.demandBody(this::iterate);
            return Action.IDLE;
          }
          if (Content.Chunk.isFailure(c)) {
            bodyFailure = c.getFailure();
            throw bodyFailure;
          }
          last = c.isLast();
          if (c.hasRemaining()) {
            chunk = c;
            content = c.getByteBuffer().slice(); // the chunk stays whole for a retry
          } else {
            c.release();
            if (!last) {
              continue;
            }
          }
        }
        ByteBuffer h = header == null ? null : header.getByteBuffer();
        ByteBuffer ch = chunkHead == null ? null : chunkHead.getByteBuffer();
        HttpGenerator.Result result =
            generator.generateRequest(headDone ? null : ex.head, h, ch, content, last);
        switch (result) {
          case NEED_HEADER:
            header = buffers.acquire(HEADER_BUFFER, true);
            break;
          case HEADER_OVERFLOW:
            if (header.capacity() >= MAX_HEADER_BUFFER) {
              throw new IOException("request head larger than " + MAX_HEADER_BUFFER + " bytes");
            }
            header.release();
            header = buffers.acquire(MAX_HEADER_BUFFER, true);
            break;
          case NEED_CHUNK:
            chunkHead = buffers.acquire(HttpGenerator.CHUNK_SIZE, true);
            break;
          case NEED_CHUNK_TRAILER:
            chunkHead = buffers.acquire(HEADER_BUFFER, true);
            break;
          case FLUSH:
            {
              boolean first = !headDone;
              headDone = true;
              // the request's last bytes: nothing follows (a chunked body's last chunk is its own)
              finalWrite =
                  generator.isState(HttpGenerator.State.COMPLETING) && !generator.isChunking();
              if (!beginWrite(this, last)) {
                throw new IOException("upstream connection failed");
              }
              if (first) {
                ex.listener.onRequestBegin();
              }
              getEndPoint()
                  .write(
                      this,
                      h == null ? BufferUtil.EMPTY_BUFFER : h,
                      ch == null ? BufferUtil.EMPTY_BUFFER : ch,
                      content == null ? BufferUtil.EMPTY_BUFFER : content);
              return Action.SCHEDULED;
            }
          case CONTINUE:
          case SHUTDOWN_OUT:
            break;
          case DONE:
            return Action.SUCCEEDED;
          default:
            throw new IllegalStateException("request generator: " + result);
        }
      }
    }

    @Override
    protected void onSuccess() {
      writeDone();
      anyWritten = true;
      header = release(header);
      chunkHead = release(chunkHead);
      if (chunk != null) {
        ex.written(chunk);
        chunk = null;
        content = null;
      }
      if (finalWrite) {
        written = true; // before the connection may be pooled and given to another exchange
        writerSucceeded(this);
      }
    }

    @Override
    protected void onCompleteSuccess() {
      writerSucceeded(this);
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
      header = release(header);
      chunkHead = release(chunkHead);
      if (chunk != null) {
        if (anyWritten) {
          chunk.release();
        } else {
          ex.unread(chunk); // nothing of it went out: a retry sends it
        }
        chunk = null;
        content = null;
      }
      writerFailed(this, bodyFailure != null ? bodyFailure : cause, bodyFailure != null);
    }

    private RetainableByteBuffer release(RetainableByteBuffer buffer) {
      if (buffer != null) {
        buffer.release();
      }
      return null;
    }
  }
}
