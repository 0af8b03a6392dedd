package ai.numio.lmgate.jetty;

import ai.numio.lmgate.Admission;
import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.ErrorShape;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import ai.numio.lmgate.ForwardedHeaders;
import ai.numio.lmgate.Headers;
import ai.numio.lmgate.HopByHop;
import ai.numio.lmgate.IncomingRequest;
import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.RequestFraming;
import ai.numio.lmgate.RouteMode;
import ai.numio.lmgate.UpstreamCredential;
import ai.numio.lmgate.UpstreamErrors;
import ai.numio.lmgate.jetty.upstream.Upstream;
import ai.numio.lmgate.jetty.upstream.UpstreamExchange;
import ai.numio.lmgate.jetty.upstream.UpstreamListener;
import ai.numio.lmgate.jetty.upstream.UpstreamRequest;
import ai.numio.lmgate.meter.AcceptEncoding;
import ai.numio.lmgate.servlet.OverheadHeader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as a Jetty core {@link Handler} (the {@code lean} engine): every decision is the
 * core's ({@link LMGate}); the bytes go through an {@link Upstream}; nothing blocks a thread while
 * the upstream thinks or the client reads, except the core's read-ahead of a body to find its
 * model. Requests for what the wrapped handler serves ({@code /healthz}, {@code /metrics}, {@code
 * /ui}) go to it; every other request is proxied.
 *
 * <p>A request's life is {@link #handle}: admitted (or refused, answered here), sent upstream with
 * its headers rewritten; then, in {@link Forwarding}, the head is copied and metering starts, each
 * upstream chunk is written to the client and the next one read only when that write completed (a
 * slow reader holds no thread and holds back its upstream), and the exchange completes or fails,
 * which writes its one usage record.
 */
public final class GatewayHandler extends Handler.Wrapper {

  private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);

  private final LMGate gate;
  private final Upstream upstream;
  private final Predicate<String> servedByWrapped;
  private final boolean forwardedHeaders;
  private final boolean overheadHeader;
  private ClientCloseWatch clientCloseWatch;

  /**
   * @param upstream what sends requests upstream; closed when this handler stops
   * @param servedByWrapped whether a (decoded, canonical) path is the wrapped handler's
   * @param wrapped serves {@code /healthz}, {@code /metrics}, {@code /ui}
   */
  public GatewayHandler(
      LMGate gate, Upstream upstream, Predicate<String> servedByWrapped, Handler wrapped) {
    super(wrapped);
    this.gate = gate;
    this.upstream = upstream;
    this.servedByWrapped = servedByWrapped;
    this.forwardedHeaders = gate.config().upstream().forwardedHeaders();
    this.overheadHeader = gate.config().server().overheadHeader();
  }

  /** A request's life, up to the upstream's answer; {@link Forwarding} follows it. */
  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (servedByWrapped.test(Request.getPathInContext(request))) {
      return super.handle(request, response, callback);
    }
    ClientBody body = new ClientBody(request);
    Admission admission = gate.admit(incoming(request, body), RouteMode.REQUIRED);
    if (admission instanceof Admission.Refused refused) {
      boolean close = RequestFraming.closeAfterRefusal(isHttp1(request), hasBody(request));
      answer(response, refused.error(), refused.shape(), close, callback);
      return true;
    }
    Admission.Admitted admitted = (Admission.Admitted) admission;
    Exchange exchange = admitted.exchange();
    Forwarding forwarding = new Forwarding(request, response, callback, exchange);
    try {
      // the client going away (a reset, a failed read or write) aborts the upstream request
      request.addFailureListener(forwarding::clientFailed);
      // waiting on the upstream is bounded by upstream.idle_timeout_seconds, not the server's
      request.addIdleTimeoutListener(timeout -> false);
      // over HTTP/1.1 nobody reads the connection while the upstream thinks: watched here
      forwarding.headWait = HeadWait.of(request, clientCloseWatch, exchange).orElse(null);
      UpstreamRequest upstreamRequest = upstreamRequest(request, admitted, body, forwarding);
      forwarding.sent(upstream.send(upstreamRequest, forwarding));
    } catch (RuntimeException e) {
      // nothing here should throw; if it does, the client gets LMGate's JSON, not a Jetty page
      log.error("Proxying {} {} failed unexpectedly", request.getMethod(), request.getHttpURI(), e);
      forwarding.upstreamFailed(e, Failure.GATEWAY_ERROR);
    }
    return true;
  }

  /** The request as the core sees it; its body is read ahead only if a model rule needs it. */
  private static IncomingRequest incoming(Request request, ClientBody body) {
    HttpURI uri = request.getHttpURI();
    String path = uri.getPath();
    HttpFields fields = request.getHeaders();
    Headers headers =
        new Headers() {
          @Override
          public java.util.List<String> values(String name) {
            return fields.getValuesList(name);
          }

          @Override
          public Iterable<String> names() {
            return fields.getFieldNamesCollection();
          }
        };
    return new IncomingRequest(
        request.getMethod(),
        path == null || path.isEmpty() ? "/" : path,
        uri.getQuery(),
        headers,
        Request.getRemoteAddr(request),
        body);
  }

  /**
   * The request as it goes upstream: the client's headers minus the hop-by-hop ones, {@code Host}
   * (set from the upstream), the framing (from the body's length) and {@code Expect} (a {@code
   * 100-continue} is settled with the client: Jetty answers it when the body is first read, and the
   * upstream gets the body without waiting for a 100 of its own), with the core's changes — {@code
   * Accept-Encoding} narrowed to what the meter decodes; with a provider key the gateway holds,
   * every client credential replaced by it; with {@code upstream.forwarded_headers}, {@code Via}
   * and {@code X-Forwarded-*} written anew. The body: what the core read ahead, then the rest.
   */
  private UpstreamRequest upstreamRequest(
      Request request, Admission.Admitted admitted, ClientBody body, Forwarding forwarding) {
    HttpFields in = request.getHeaders();
    UpstreamCredential credential = admitted.upstreamCredential();
    Set<String> named = HopByHop.connectionTokens(in.getValuesList(HttpHeader.CONNECTION));
    HttpFields.Mutable out = HttpFields.build(in.size() + 4);
    for (HttpField field : in) {
      String lower = field.getLowerCaseName();
      HttpHeader header = field.getHeader();
      if (header == HttpHeader.HOST
          || header == HttpHeader.CONTENT_LENGTH
          || header == HttpHeader.EXPECT
          || header == HttpHeader.ACCEPT_ENCODING
          || HopByHop.isHopByHop(lower, named)
          || credential.isClientCredential(field.getName())
          || (forwardedHeaders && ForwardedHeaders.isForwardingHeader(lower))) {
        continue;
      }
      out.add(field);
    }
    if (credential.replacesClientCredentials()) {
      out.put(credential.headerName(), credential.headerValue());
    }
    String acceptEncoding = AcceptEncoding.narrow(in.get(HttpHeader.ACCEPT_ENCODING));
    if (acceptEncoding != null) {
      out.put(HttpHeader.ACCEPT_ENCODING, acceptEncoding);
    }
    if (forwardedHeaders) {
      ForwardedHeaders.of(
              name -> in.getValuesList(name),
              Request.getRemoteAddr(request),
              request.getHttpURI().getScheme(),
              authority(request))
          .forEach(header -> out.put(header.name(), header.value()));
    }
    String origin = admitted.route().orElseThrow().target().origin();
    String target = admitted.upstreamUri().substring(origin.length());
    Content.Source content = null;
    long length = -1;
    if (hasBody(request)) {
      content = body.forwarded(admitted.readAhead(), forwarding.exchange, forwarding::bodyRead);
      length = request.getLength();
    } else {
      forwarding.bodyRead();
    }
    return new UpstreamRequest(
        request.getMethod(),
        URI.create(origin),
        target.isEmpty() ? "/" : target,
        out,
        content,
        length);
  }

  /** The host the client asked for: its {@code Host} header, else HTTP/2's {@code :authority}. */
  private static String authority(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host != null) {
      return host;
    }
    HttpURI uri = request.getHttpURI();
    return uri.getHost() == null ? null : uri.getAuthority();
  }

  private static boolean isHttp1(Request request) {
    return request.getConnectionMetaData().getHttpVersion().getVersion() < 20;
  }

  private static boolean hasBody(Request request) {
    return RequestFraming.hasBody(
        request.getMethod(),
        request.getLength(),
        request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING),
        isHttp1(request));
  }

  /**
   * LMGate's own answer ({@link ErrorResponse}), as {@code ErrorReplies} writes it in the servlet
   * forms: status, extra headers ({@code Retry-After}, {@code Allow}), JSON body with its length.
   *
   * @param close say {@code Connection: close} (a refused request whose body is left unread)
   */
  static void answer(
      Response response, ErrorResponse error, ErrorShape shape, boolean close, Callback callback) {
    if (response.isCommitted()) {
      callback.failed(new IllegalStateException("response already committed"));
      return;
    }
    byte[] body = error.body(shape);
    response.setStatus(error.status());
    HttpFields.Mutable headers = response.getHeaders();
    error.headers().forEach(headers::put);
    headers.put(HttpHeader.CONTENT_TYPE, ErrorResponse.CONTENT_TYPE);
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    if (close) {
      headers.put(HttpHeader.CONNECTION, "close");
    }
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  protected void doStart() throws Exception {
    clientCloseWatch = ClientCloseWatch.start();
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    super.doStop();
    upstream.close(); // exchanges still running fail (recorded `shutdown` after the grace period)
    clientCloseWatch.close();
  }

  /** One proxied request, from its sending upstream to its record. */
  private final class Forwarding implements UpstreamListener {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Exchange exchange;
    private HeadWait headWait; // HTTP/1.1 only
    private UpstreamExchange sent; // guarded by this
    private Throwable abortBeforeSent; // guarded by this

    Forwarding(Request request, Response response, Callback callback, Exchange exchange) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.exchange = exchange;
    }

    /** The upstream request is on its way; aborts it at once if the client left meanwhile. */
    void sent(UpstreamExchange upstreamExchange) {
      Throwable abort;
      synchronized (this) {
        sent = upstreamExchange;
        abort = abortBeforeSent;
      }
      if (abort != null) {
        upstreamExchange.abort(abort);
      }
    }

    private void abortUpstream(Throwable cause) {
      UpstreamExchange upstreamExchange;
      synchronized (this) {
        upstreamExchange = sent;
        if (upstreamExchange == null && abortBeforeSent == null) {
          abortBeforeSent = cause;
        }
      }
      if (upstreamExchange != null) {
        upstreamExchange.abort(cause);
      }
    }

    /** The client's request has been read whole: from now on its leaving is watched (HTTP/1.1). */
    void bodyRead() {
      if (headWait != null) {
        headWait.begin(this::abortUpstream);
      }
    }

    private void endHeadWait() {
      if (headWait != null) {
        headWait.end();
      }
    }

    /** Jetty saw the client go (a reset stream, a closed connection, a failed write). */
    void clientFailed(Throwable failure) {
      exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
      abortUpstream(failure);
    }

    @Override
    public void onRequestBegin() {
      // before any byte is written, so before any answer to it
      exchange.onRequestSent();
    }

    @Override
    public void onResponse(int status, HttpFields headers, Content.Source body) {
      endHeadWait();
      response.setStatus(status);
      ResponseHeaders.copy(headers, response.getHeaders());
      exchange.onResponse(status, headers::getValuesList);
      if (overheadHeader) {
        String overhead = OverheadHeader.value(exchange);
        if (overhead != null) {
          response.getHeaders().put(OverheadHeader.NAME, overhead);
        }
      }
      new BodyPump(body).iterate();
    }

    @Override
    public void onFailure(Throwable failure) {
      upstreamFailed(failure, UpstreamErrors.classify(failure));
    }

    /**
     * The upstream failed: LMGate's JSON answer before the head, else an abrupt end (a cut
     * connection, a reset stream) so the client sees a cut, not a clean end.
     */
    void upstreamFailed(Throwable failure, Failure observed) {
      endHeadWait();
      ErrorResponse answer = exchange.fail(observed);
      if (answer != null && !response.isCommitted()) {
        answer(response, answer, exchange.errorShape(), false, callback);
      } else if (!response.isCommitted()) {
        // the head came but not one byte of body: nothing reached the client yet
        int status =
            observed == Failure.UPSTREAM_TIMEOUT
                ? HttpStatus.GATEWAY_TIMEOUT_504
                : HttpStatus.BAD_GATEWAY_502;
        response.reset();
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        Response.writeError(request, response, callback, status);
      } else {
        callback.failed(failure);
      }
    }

    /**
     * The response body: one upstream chunk at a time, written to the client without blocking; the
     * next is read only once the write completed, and metered after it.
     */
    private final class BodyPump extends IteratingCallback {
      private final Content.Source body;
      private Content.Chunk writing;
      private ByteBuffer metered;
      private boolean started;

      BodyPump(Content.Source body) {
        this.body = body;
      }

      @Override
      protected Action process() {
        if (writing != null) { // the write completed
          exchange.onBytes(metered);
          boolean last = writing.isLast();
          writing.release();
          writing = null;
          if (last) {
            return Action.SUCCEEDED;
          }
        }
        while (true) {
          Content.Chunk chunk = body.read();
          if (chunk == null) {
            body.demand(this::iterate);
            return Action.IDLE;
          }
          if (Content.Chunk.isFailure(chunk)) {
            throw new UpstreamBodyFailure(chunk.getFailure());
          }
          ByteBuffer buffer = chunk.getByteBuffer();
          if (!buffer.hasRemaining() && !chunk.isLast()) {
            chunk.release();
            continue;
          }
          if (!started && buffer.hasRemaining()) {
            started = true;
            exchange.onUpstreamBytes(); // the gateway's share of the first byte starts here
          }
          writing = chunk;
          metered = buffer.slice(); // the write moves the buffer's position; the meter reads this
          response.write(chunk.isLast(), buffer, this);
          return Action.SCHEDULED;
        }
      }

      @Override
      protected void onCompleteSuccess() {
        // recorded before the response completes, so a graceful stop that waits for the exchange
        // finds the record
        exchange.complete();
        callback.succeeded();
      }

      @Override
      protected void onCompleteFailure(Throwable cause) {
        if (writing != null) {
          writing.release();
          writing = null;
        }
        if (cause instanceof UpstreamBodyFailure broken) {
          upstreamFailed(broken.getCause(), UpstreamErrors.classify(broken.getCause()));
          return;
        }
        // the write to the client failed: it went away, or stopped reading for the idle timeout
        exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
        abortUpstream(cause);
        exchange.fail(Failure.CLIENT_DISCONNECTED);
        callback.failed(cause);
      }
    }
  }

  /** The upstream's body broke off: carries its cause out of {@link Forwarding.BodyPump}. */
  private static final class UpstreamBodyFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UpstreamBodyFailure(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }
  }
}
