package ai.numio.lmgate.forward;

import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.ErrorShape;
import ai.numio.lmgate.Failure;
import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.UpstreamCredential;
import ai.numio.lmgate.UpstreamErrors;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.filter.ClientConnection;
import ai.numio.lmgate.route.RouteMatch;
import ai.numio.lmgate.route.RouteResult;
import ai.numio.lmgate.route.Router;
import ai.numio.lmgate.servlet.ClientCloseProbe;
import ai.numio.lmgate.servlet.ErrorReplies;
import ai.numio.lmgate.servlet.FailureReports;
import ai.numio.lmgate.servlet.GatedRequest;
import ai.numio.lmgate.servlet.ServletRequests;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards each request to the upstream of its route, exactly as the standalone gateway does (SPEC
 * §3, §6): the WAR's upstream client. It does no authorization and no metering; mount {@code
 * LMGateFilter} in front of it for those.
 *
 * <p>The path inside the webapp (the raw request URI minus the context path) chooses the route: no
 * route is 404, a path that tries to leave its route is 400, both as LMGate's JSON. Method, path
 * remainder, query (byte for byte), headers and body (streamed) go to the route's upstream through
 * one shared JDK {@link HttpClient} (HTTP/1.1, redirects not followed, TLS verified); see {@link
 * ForwardingHeaders} for the headers. The response's status and headers are set and committed
 * before its body starts; each chunk of the body is written and flushed as it arrives.
 *
 * <p>Failures: no connection to the upstream is 502 {@code upstream_unreachable}; a connection
 * closed before the response head is 502 {@code upstream_disconnected} (the upstream got the
 * request); no response head within {@code upstream.idle_timeout_seconds} is 504 {@code
 * upstream_timeout}. A response that breaks off after it began (the upstream cuts it, or is silent
 * for the idle timeout) throws {@link UpstreamDisconnectedException} so the container cuts the
 * client's connection too. A client that goes away ends the upstream exchange at once; the
 * container's exception is rethrown. Before the response head, where the servlet API would tell
 * nothing until the first write, the client is watched ({@link HeadWait}) where the container lets
 * it ({@link ClientConnection}: Tomcat's NIO connector and embedded Jetty over HTTP/1.1, embedded
 * Jetty over HTTP/2); a client that leaves then aborts the upstream request at once, and the
 * servlet throws the container's own exception for a client gone. Whenever forwarding fails, the
 * {@link Failure} is reported to the filter in front ({@link FailureReports}).
 */
public final class ForwardingServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private static final Logger log = LoggerFactory.getLogger(ForwardingServlet.class);
  private static final int BUFFER_SIZE = 16 * 1024;

  private transient LMGateConfig config;
  private transient Router router;
  private transient HttpClient client;
  private transient Duration idleTimeout;
  private transient ScheduledExecutorService idleTimer;
  private transient ExecutorService clientThreads;
  private transient ClientCloseProbe clientProbe;
  private final transient TimeSource time = TimeSource.system();

  /** For {@code web.xml}: {@link #init()} loads the configuration (see the class comment). */
  public ForwardingServlet() {}

  /** For programmatic registration: forwards by this configuration's routes and timeouts. */
  public ForwardingServlet(LMGateConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Loads the configuration unless one was given: the file named by the servlet init-param {@code
   * config}, else by the context init-param {@code lmgate.config}, else by env {@code
   * LMGATE_CONFIG}, else {@code config/lmgate.yaml} if present, else the built-in defaults; {@code
   * LMGATE_*} overrides apply.
   *
   * @throws ServletException listing every configuration problem
   */
  @Override
  public void init() throws ServletException {
    if (config == null) {
      config = ForwardingConfigLoader.load(getServletConfig());
    }
    router = new Router(config.routes());
    LMGateConfig.Upstream upstream = config.upstream();
    idleTimeout = Duration.ofSeconds(upstream.idleTimeoutSeconds());
    clientThreads = Executors.newCachedThreadPool(daemonThreads("lmgate-forward-http"));
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, daemonThreads("lmgate-forward-idle"));
    timer.setRemoveOnCancelPolicy(true);
    idleTimer = timer;
    if (ClientConnection.visible()) {
      clientProbe = ClientCloseProbe.open();
    }
    Thread thread = Thread.currentThread();
    ClassLoader webapp = thread.getContextClassLoader();
    // the client's selector thread takes the context class loader of the thread that builds it;
    // not the webapp's, so that an undeployed webapp is not kept in memory by it
    thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
    try {
      client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(Duration.ofSeconds(upstream.connectTimeoutSeconds()))
              .executor(clientThreads)
              .build();
    } finally {
      thread.setContextClassLoader(webapp);
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(ClassLoader.getPlatformClassLoader());
      return t;
    };
  }

  /**
   * Stops the servlet's threads; the client's selector thread ends once the client is collected.
   */
  @Override
  public void destroy() {
    if (idleTimer != null) {
      idleTimer.shutdownNow();
    }
    if (clientThreads != null) {
      clientThreads.shutdownNow();
    }
    if (clientProbe != null) {
      clientProbe.close();
    }
    client = null;
  }

  /** A request's life in the forwarder: route, build, send, relay; every failure reported. */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    RouteResult route = router.match(ServletRequests.pathInWebapp(request));
    if (!(route instanceof RouteMatch match)) {
      ErrorReplies.send(response, ErrorResponse.of(route), ErrorShape.LMGATE, true);
      return;
    }
    ErrorShape shape = ErrorShape.of(config.server().errorFormat(), match.route().format());
    if (!ErrorResponse.FORWARDED_METHODS.contains(request.getMethod())) {
      ErrorReplies.send(response, ErrorResponse.METHOD_NOT_ALLOWED, shape, true);
      return;
    }
    ClientConnection connection = ClientConnection.of(request, clientProbe);
    HeadWait wait =
        connection == ClientConnection.UNKNOWN
            ? HeadWait.none()
            : new HeadWait(connection, idleTimer);
    ClientRequestBody body =
        new ClientRequestBody(
            request.getInputStream(), request.getContentLengthLong(), wait::bodyRead);
    HttpRequest upstreamRequest;
    try {
      upstreamRequest = upstreamRequest(request, match, body);
    } catch (IllegalArgumentException e) {
      // a method, query or header the JDK client refuses (CONNECT, a character the URI parser
      // rejects); not echoed, as it may hold a key
      ErrorReplies.send(response, ErrorResponse.UNFORWARDABLE, shape, true);
      return;
    }
    if (!ServletRequests.hasBody(request)) {
      wait.bodyRead();
    }
    CompletableFuture<HttpResponse<InputStream>> pending =
        client.sendAsync(upstreamRequest, HttpResponse.BodyHandlers.ofInputStream());
    wait.abortOnLeave(pending);
    HttpResponse<InputStream> upstream;
    try {
      upstream = pending.get();
    } catch (ExecutionException | CancellationException e) {
      wait.end();
      if (wait.clientLeft()) { // the wait aborted it (the JDK's cancellation may come as a cause)
        throw clientLeft(request, connection);
      }
      if (body.failure() != null) {
        FailureReports.report(request, Failure.CLIENT_DISCONNECTED);
        throw body.failure(); // the client went away during the upload; nothing to answer
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      Failure failure =
          cause instanceof IOException io ? UpstreamErrors.classify(io) : Failure.GATEWAY_ERROR;
      fail(request, response, failure, match, shape, cause);
      return;
    } catch (InterruptedException e) {
      wait.end();
      pending.cancel(true);
      Thread.currentThread().interrupt();
      fail(request, response, Failure.GATEWAY_ERROR, match, shape, e);
      return;
    }
    wait.end(); // before anything is written: the container may read the connection again after
    if (wait.clientLeft()) { // it left as the head arrived
      upstream.body().close();
      throw clientLeft(request, connection);
    }
    relay(request, upstream, response);
  }

  /**
   * The client left before the response head (the upstream request is aborted): reported, its
   * connection closed, and the container's own exception for a client gone to throw.
   */
  private static IOException clientLeft(HttpServletRequest request, ClientConnection connection) {
    FailureReports.report(request, Failure.CLIENT_DISCONNECTED);
    connection.close();
    return connection.gone("client closed the connection before the response head");
  }

  /**
   * The upstream request; with the credential the filter in front decided ({@link
   * GatedRequest#upstreamCredential()}): the client's as sent, or the provider key the gateway
   * holds in place of every client credential, header and query parameter alike. A request no
   * filter let in passes its credentials as sent: the forwarder alone never adds a provider key.
   */
  private HttpRequest upstreamRequest(
      HttpServletRequest request, RouteMatch match, ClientRequestBody body) {
    UpstreamCredential credential =
        GatedRequest.of(request)
            .map(GatedRequest::upstreamCredential)
            .orElse(UpstreamCredential.PASS_THROUGH);
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(
                URI.create(match.upstreamUri(credential.upstreamQuery(request.getQueryString()))))
            .timeout(idleTimeout)
            .method(request.getMethod(), bodyPublisher(request, body));
    ForwardingHeaders.copyRequestHeaders(
        request, builder, config.upstream().forwardedHeaders(), credential);
    return builder.build();
  }

  /**
   * The client's body, streamed: with its length if it gave one, else chunked; none if none ({@link
   * ServletRequests#hasBody}: an HTTP/2 body without a length is a body too).
   */
  private static HttpRequest.BodyPublisher bodyPublisher(
      HttpServletRequest request, ClientRequestBody body) {
    if (!ServletRequests.hasBody(request)) {
      return HttpRequest.BodyPublishers.noBody();
    }
    long length = request.getContentLengthLong();
    HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> body);
    return length > 0 ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream;
  }

  /** Sets the upstream's status and headers, commits them, then streams the body chunk by chunk. */
  private void relay(
      HttpServletRequest request, HttpResponse<InputStream> upstream, HttpServletResponse response)
      throws IOException {
    InputStream in = upstream.body();
    try (in;
        UpstreamIdleGuard guard =
            UpstreamIdleGuard.watch(in, idleTimer, time, idleTimeout.toNanos())) {
      ServletOutputStream out;
      try {
        response.setStatus(upstream.statusCode());
        ForwardingHeaders.copyResponseHeaders(upstream.headers(), response);
        out = response.getOutputStream();
        response
            .flushBuffer(); // status and headers reach the client (and a filter) before any body
      } catch (IOException e) {
        throw clientGone(request, e);
      }
      byte[] buffer = new byte[BUFFER_SIZE];
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          throw upstreamCut(request, guard, e);
        }
        if (n < 0) {
          if (guard.expired()) {
            throw upstreamCut(request, guard, null);
          }
          return;
        }
        guard.progress();
        try {
          out.write(buffer, 0, n);
          out.flush(); // each chunk reaches the client now: SSE events must not wait for more
        } catch (IOException e) {
          throw clientGone(request, e);
        }
      }
    }
  }

  /** The client is gone: the caller's try-with-resources closes the upstream body at once. */
  private static IOException clientGone(HttpServletRequest request, IOException e) {
    FailureReports.report(request, Failure.CLIENT_DISCONNECTED);
    return e;
  }

  private static IOException upstreamCut(
      HttpServletRequest request, UpstreamIdleGuard guard, IOException cause) {
    Failure failure = guard.expired() ? Failure.UPSTREAM_TIMEOUT : Failure.UPSTREAM_DISCONNECTED;
    FailureReports.report(request, failure);
    String message =
        guard.expired()
            ? "upstream response went silent longer than upstream.idle_timeout_seconds; client"
                + " connection cut"
            : "upstream closed the response mid-way ("
                + (cause == null ? "unknown" : cause.getMessage())
                + "); client connection cut";
    return new UpstreamDisconnectedException(message, failure);
  }

  private static void fail(
      HttpServletRequest request,
      HttpServletResponse response,
      Failure failure,
      RouteMatch match,
      ErrorShape shape,
      Throwable cause) {
    FailureReports.report(request, failure);
    log.warn(
        "Forwarding to route '{}' ({}) failed: {}: {}",
        match.route().name(),
        match.target().origin(),
        failure.errorType(),
        cause.toString());
    ErrorReplies.send(response, ErrorResponse.of(failure), shape, true);
  }
}
