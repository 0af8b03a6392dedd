package ai.numio.lmgate.jetty;

import ai.numio.lmgate.Admission;
import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import ai.numio.lmgate.ForwardedHeaders;
import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.RouteMode;
import ai.numio.lmgate.UpstreamCredential;
import ai.numio.lmgate.UpstreamErrors;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.meter.AcceptEncoding;
import ai.numio.lmgate.servlet.ErrorReplies;
import ai.numio.lmgate.servlet.ServletRequests;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;

/**
 * The gateway as a Jetty {@link ProxyServlet}: every decision is the core's ({@link LMGate}); this
 * class only turns Jetty's proxy callbacks into core calls.
 *
 * <p>A request's life: {@link #service} has the core admit it before any upstream connection
 * (404/400/403 answered here) and hands over to Jetty's proxying; {@link #rewriteTarget} names the
 * upstream URI; {@link #onServerResponseHeaders} starts metering; {@link #onResponseContent} writes
 * and flushes each upstream chunk to the client at once, then lets the meter read it; {@link
 * #onProxyResponseSuccess} / {@link #onProxyResponseFailure} complete the exchange, which writes
 * its one usage record.
 */
public final class LMGateProxyServlet extends ProxyServlet {

  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(LMGateProxyServlet.class);

  private final transient LMGate gate;

  /** Buffers for streaming request bodies, from the proxy client's pool (set in {@link #init}). */
  private transient ByteBufferPool.Sized requestBodyBuffers;

  /** Notices HTTP/1.1 clients that leave before the response head (started in {@link #init}). */
  private transient ClientCloseWatch clientCloseWatch;

  /** A servlet proxying for this gate; the gate's configuration sets timeouts and routes. */
  public LMGateProxyServlet(LMGate gate) {
    this.gate = gate;
  }

  /** A request's life, up to the hand-over to Jetty's proxying; the callbacks below follow it. */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    Admission admission = gate.admit(ServletRequests.incoming(request), RouteMode.REQUIRED);
    if (admission instanceof Admission.Refused refused) {
      ErrorReplies.refuse(request, response, refused);
      return;
    }
    Admission.Admitted admitted = (Admission.Admitted) admission;
    Exchange exchange = admitted.exchange();
    ProxiedExchange.attach(
        request,
        admitted.upstreamUri(),
        admitted.route().orElseThrow().route().upstream(),
        exchange,
        admitted.readAhead(),
        admitted.upstreamCredential());
    try {
      super.service(request, response); // forwards; the callbacks observe and complete
    } catch (RuntimeException e) {
      // nothing here should throw; if it does, the client gets LMGate's JSON, not a Jetty page
      log.error(
          "Proxying {} {} failed unexpectedly", request.getMethod(), request.getRequestURI(), e);
      ErrorResponse answer = exchange.fail(Failure.GATEWAY_ERROR);
      if (answer != null
          && ErrorReplies.send(response, answer, exchange.errorShape(), true)
          && request.isAsyncStarted()) {
        request.getAsyncContext().complete();
      }
    }
  }

  @Override
  public void init() throws ServletException {
    super.init(); // creates and starts the HttpClient
    requestBodyBuffers = RequestBody.buffers(getHttpClient().getByteBufferPool());
    clientCloseWatch = ClientCloseWatch.start();
  }

  @Override
  public void destroy() {
    super.destroy();
    if (clientCloseWatch != null) {
      clientCloseWatch.close();
    }
  }

  @Override
  protected String rewriteTarget(HttpServletRequest request) {
    return ProxiedExchange.of(request).target; // built and checked once, in service()
  }

  /**
   * An upstream host that {@link URI} cannot parse — a Docker Compose service name with {@code _},
   * such as {@code my_vllm} — leaves the target without a host, which Jetty's client refuses: the
   * request is made for a placeholder host and then given the real one, which Jetty resolves and
   * sends as {@code Host}.
   */
  @Override
  protected Request newProxyRequest(HttpServletRequest request, String target) {
    ProxiedExchange proxied = ProxiedExchange.of(request);
    if (proxied.upstream.getHost() != null) {
      return super.newProxyRequest(request, target); // the route's URI, parsed once at start
    }
    String authority = proxied.upstream.getRawAuthority();
    int colon = authority.lastIndexOf(':');
    String host = colon < 0 ? authority : authority.substring(0, colon);
    String origin = proxied.upstream.getScheme() + "://" + authority;
    String placeholder =
        proxied.upstream.getScheme()
            + "://upstream.invalid"
            + (colon < 0 ? "" : authority.substring(colon));
    return super.newProxyRequest(request, placeholder + target.substring(origin.length()))
        .host(host);
  }

  /**
   * The client's headers, as Jetty copies them, with the core's changes: {@code Accept-Encoding}
   * narrowed to what the meter decodes, and, when the gateway holds the provider key, every client
   * credential replaced by it ({@link UpstreamCredential}).
   */
  @Override
  protected void copyRequestHeaders(HttpServletRequest request, Request proxyRequest) {
    super.copyRequestHeaders(request, proxyRequest);
    String acceptEncoding = AcceptEncoding.narrow(request.getHeader("Accept-Encoding"));
    boolean forwarded = gate.config().upstream().forwardedHeaders();
    UpstreamCredential credential = ProxiedExchange.of(request).credential;
    proxyRequest.headers(
        headers -> {
          if (credential.replacesClientCredentials()) {
            List<String> clientCredentials = new ArrayList<>();
            for (HttpField field : headers) {
              if (credential.isClientCredential(field.getName())) {
                clientCredentials.add(field.getName());
              }
            }
            clientCredentials.forEach(headers::remove);
            headers.put(credential.headerName(), credential.headerValue());
          }
          headers.remove(HttpHeader.ACCEPT_ENCODING);
          if (acceptEncoding != null) {
            headers.put(HttpHeader.ACCEPT_ENCODING, acceptEncoding);
          }
          if (forwarded) {
            ForwardedHeaders.NAMES.forEach(headers::remove); // written anew by addProxyHeaders
          }
        });
  }

  /** Only with {@code upstream.forwarded_headers}: the core's {@link ForwardedHeaders}. */
  @Override
  protected void addProxyHeaders(HttpServletRequest request, Request proxyRequest) {
    if (!gate.config().upstream().forwardedHeaders()) {
      return;
    }
    List<ForwardedHeaders.Header> forwarded =
        ForwardedHeaders.of(
            ServletRequests.headers(request),
            request.getRemoteAddr(),
            request.getScheme(),
            ServletRequests.authority(request));
    proxyRequest.headers(
        headers -> forwarded.forEach(header -> headers.put(header.name(), header.value())));
  }

  /**
   * Jetty's own rule sees no body in a request without a length or {@code Transfer-Encoding}, which
   * drops the body of every HTTP/2 request that streams one: see {@link ServletRequests#hasBody}.
   */
  @Override
  protected boolean hasContent(HttpServletRequest request) {
    return ServletRequests.hasBody(request);
  }

  /**
   * The client's body, streamed as it is read: first what the core read ahead to find the model
   * (byte for byte), then the rest. If reading it fails, the body broke off or is malformed (a bad
   * chunk size, fewer bytes than its {@code Content-Length}): the client's failure, not the
   * upstream's; the exchange answers 400 to a malformed body.
   */
  @Override
  protected Request.Content proxyRequestContent(
      HttpServletRequest request, HttpServletResponse response, Request proxyRequest)
      throws IOException {
    return new RequestBody(request, ProxiedExchange.of(request), requestBodyBuffers);
  }

  @Override
  protected void sendProxyRequest(
      HttpServletRequest request, HttpServletResponse response, Request proxyRequest) {
    Exchange exchange = ProxiedExchange.of(request).exchange;
    request.getAsyncContext().addListener(new ClientDisconnect(exchange, proxyRequest));
    // the servlet API reports a client that went away only on a read or a write; Jetty's request
    // also sees an HTTP/2 client's connection close while the upstream has not answered yet
    ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
    jettyRequest.addFailureListener(
        failure -> {
          exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
          proxyRequest.abort(failure);
        });
    // over HTTP/1.1 nobody reads the connection while the upstream thinks: watched here
    HeadWait.of(jettyRequest, clientCloseWatch, exchange)
        .ifPresent(wait -> wait.follow(proxyRequest));
    // begun on an established connection: notified before any byte is written, so before any
    // answer to it (the commit is notified after the write, racing the upstream's reply)
    proxyRequest.onRequestBegin(sent -> exchange.onRequestSent());
    super.sendProxyRequest(request, response, proxyRequest);
  }

  /**
   * Copies the upstream's headers as they are (Jetty's default re-joins every value as a
   * comma-separated list, which turns {@code Expires: Thu, 01 Dec 2026 …} into {@code Thu,01 Dec
   * 2026 …}), minus the hop-by-hop ones: see {@link ResponseHeaders}.
   */
  @Override
  protected void onServerResponseHeaders(
      HttpServletRequest request, HttpServletResponse response, Response serverResponse) {
    ResponseHeaders.copy(serverResponse.getHeaders(), response);
    Exchange exchange = ProxiedExchange.of(request).exchange;
    exchange.onResponse(
        serverResponse.getStatus(), name -> serverResponse.getHeaders().getValuesList(name));
    if (gate.config().server().overheadHeader()) {
      ai.numio.lmgate.servlet.OverheadHeader.add(exchange, response);
    }
  }

  @Override
  protected void onResponseContent(
      HttpServletRequest request,
      HttpServletResponse response,
      Response proxyResponse,
      byte[] buffer,
      int offset,
      int length,
      Callback callback) {
    ProxiedExchange proxied = ProxiedExchange.of(request);
    Exchange exchange = proxied.exchange;
    if (!proxied.bodyStarted) {
      proxied.bodyStarted = true;
      exchange.onUpstreamBytes(); // the gateway's share of the client's first byte starts here
    }
    try {
      ServletOutputStream out = response.getOutputStream();
      out.write(buffer, offset, length);
      out.flush(); // each upstream chunk reaches the client now, not when a buffer fills
    } catch (Throwable x) {
      exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
      callback.failed(x);
      return;
    }
    exchange.onBytes(buffer, offset, length);
    callback.succeeded();
  }

  @Override
  protected void onProxyResponseSuccess(
      HttpServletRequest request, HttpServletResponse response, Response serverResponse) {
    // queued before the response is completed, so a graceful stop that waits for the exchange
    // finds the record (a Content-Length body may already be whole at the client)
    ProxiedExchange.of(request).exchange.complete();
    super.onProxyResponseSuccess(request, response, serverResponse);
  }

  @Override
  protected void onProxyResponseFailure(
      HttpServletRequest request,
      HttpServletResponse response,
      Response serverResponse,
      Throwable failure) {
    Exchange exchange = ProxiedExchange.of(request).exchange;
    ErrorResponse answer = exchange.fail(UpstreamErrors.classify(failure));
    if (answer != null && ErrorReplies.send(response, answer, exchange.errorShape(), true)) {
      request.getAsyncContext().complete();
    } else {
      // The response has begun: end the connection abruptly so the client sees a cut, not a
      // clean end; Jetty's proxy does this for a committed response.
      super.onProxyResponseFailure(request, response, serverResponse, failure);
    }
  }

  /**
   * Jetty's proxy logs whole request headers at DEBUG, keys included; LMGate never logs a full key,
   * so that logger is silenced (LMGate logs what matters itself, keys masked).
   */
  @Override
  protected org.slf4j.Logger createLogger() {
    return NOPLogger.NOP_LOGGER;
  }

  @Override
  protected HttpClient newHttpClient() {
    HttpClient client = super.newHttpClient();
    LMGateConfig.Upstream upstream = gate.config().upstream();
    client.setConnectTimeout(upstream.connectTimeoutSeconds() * 1000L);
    client.setFollowRedirects(false);
    return client;
  }

  @Override
  protected ClientConnector newClientConnector() {
    ClientConnector connector = new ClientConnector();
    SslContextFactory.Client tls = new SslContextFactory.Client(); // verifies certificates and host
    connector.setSslContextFactory(tls);
    return connector;
  }

  /** Aborts the upstream request as soon as the container sees the client go away. */
  private static final class ClientDisconnect implements AsyncListener {
    private final Exchange exchange;
    private final Request proxyRequest;

    ClientDisconnect(Exchange exchange, Request proxyRequest) {
      this.exchange = exchange;
      this.proxyRequest = proxyRequest;
    }

    @Override
    public void onError(AsyncEvent event) {
      exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
      proxyRequest.abort(event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {}

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }
}
