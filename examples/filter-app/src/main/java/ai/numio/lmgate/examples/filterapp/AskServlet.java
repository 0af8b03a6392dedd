package ai.numio.lmgate.examples.filterapp;

import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.Failure;
import ai.numio.lmgate.UpstreamErrors;
import ai.numio.lmgate.filter.LMGateFilter;
import ai.numio.lmgate.servlet.FailureReports;
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
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example app's own LLM egress: {@code POST <context>/openai/v1/chat/completions} with an
 * OpenAI chat completions body is sent to {@code <upstream>/v1/chat/completions} with the JDK
 * {@link HttpClient}, the caller's {@code Authorization} header passed through, and the answer
 * (JSON or an SSE stream) is written back chunk by chunk, each chunk flushed as it arrives.
 *
 * <p>LMGate's filter runs before it: the servlet only ever sees allow-listed callers, reads who
 * they are from the request attributes {@code lmgate.id} and {@code lmgate.owner} (logged and
 * echoed in the response header {@value #CALLER_HEADER}), and reports how the provider call failed
 * through {@link FailureReports} so that the usage record says so. Without the filter in front the
 * attributes are missing and the servlet refuses to call the provider (500).
 *
 * <p>The upstream is the context init-param {@value #UPSTREAM_PARAM}, else the environment variable
 * {@value #UPSTREAM_ENV}, else {@value #DEFAULT_UPSTREAM}.
 */
public final class AskServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** Context init-param: the OpenAI-compatible upstream, e.g. {@code https://api.openai.com}. */
  public static final String UPSTREAM_PARAM = "app.openai.upstream";

  /** Environment variable read when the context init-param is not set. */
  public static final String UPSTREAM_ENV = "APP_OPENAI_UPSTREAM";

  /** The upstream when neither is set. */
  public static final String DEFAULT_UPSTREAM = "https://api.openai.com";

  /** Response header echoing the caller's allow-list owner, to show the app knows who called. */
  public static final String CALLER_HEADER = "X-App-Caller";

  /** The one path this app offers under {@code /openai/*}. */
  static final String CHAT_PATH = "/v1/chat/completions";

  private static final Logger log = LoggerFactory.getLogger(AskServlet.class);
  private static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(5);

  private transient URI upstream;
  private transient ExecutorService clientThreads;
  private transient HttpClient client;

  /** For {@code web.xml}: {@link #init()} reads the upstream (see the class comment). */
  public AskServlet() {}

  /** For programmatic registration: calls this upstream (scheme, authority, optional base path). */
  public AskServlet(URI upstream) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
  }

  @Override
  public void init() throws ServletException {
    if (upstream == null) {
      upstream =
          configuredUpstream(getServletContext().getInitParameter(UPSTREAM_PARAM), System.getenv());
    }
    AtomicInteger count = new AtomicInteger();
    clientThreads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "filter-app-openai-" + count.incrementAndGet());
              t.setDaemon(true);
              t.setContextClassLoader(ClassLoader.getPlatformClassLoader());
              return t;
            });
    Thread thread = Thread.currentThread();
    ClassLoader webapp = thread.getContextClassLoader();
    // the client's selector thread inherits this thread's context class loader: not the webapp's,
    // so that an undeployed webapp is not held in memory by it
    thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
    try {
      client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(CONNECT_TIMEOUT)
              .executor(clientThreads)
              .build();
    } finally {
      thread.setContextClassLoader(webapp);
    }
    log.info("AskServlet ready: /openai{} goes to {}{}", CHAT_PATH, upstream, CHAT_PATH);
  }

  /**
   * The upstream named by the context init-param {@value #UPSTREAM_PARAM} (null if not set), else
   * by the environment, else the default.
   *
   * @throws ServletException naming the setting and its value if it is not an absolute http(s) URL
   */
  static URI configuredUpstream(String contextParam, Map<String, String> env)
      throws ServletException {
    String origin = "context init-param '" + UPSTREAM_PARAM + "'";
    String value = contextParam;
    if (value == null || value.isBlank()) {
      origin = "environment variable " + UPSTREAM_ENV;
      value = env.get(UPSTREAM_ENV);
    }
    if (value == null || value.isBlank()) {
      return URI.create(DEFAULT_UPSTREAM);
    }
    String trimmed = value.trim();
    try {
      URI uri =
          new URI(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    throw new ServletException(
        origin
            + " is \""
            + trimmed
            + "\": expected an absolute http(s) URL without query, e.g. "
            + DEFAULT_UPSTREAM);
  }

  @Override
  public void destroy() {
    if (clientThreads != null) {
      clientThreads.shutdownNow();
    }
    client = null;
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object id = request.getAttribute(LMGateFilter.ID_ATTRIBUTE); // "lmgate.id"
    Object owner = request.getAttribute(LMGateFilter.OWNER_ATTRIBUTE); // "lmgate.owner"
    if (id == null || owner == null) {
      log.error("No lmgate.owner on the request: LMGateFilter is not mounted before AskServlet");
      answer(
          response,
          new ErrorResponse(
              500, "not_configured", "LMGate filter is not mounted; the provider is not called"));
      return;
    }
    response.setHeader(CALLER_HEADER, owner.toString());
    if (!CHAT_PATH.equals(request.getPathInfo())) {
      answer(
          response,
          new ErrorResponse(404, "not_found", "This app offers POST /openai" + CHAT_PATH));
      return;
    }
    byte[] body;
    try {
      body = request.getInputStream().readNBytes(MAX_REQUEST_BYTES + 1);
    } catch (IOException e) {
      throw clientGone(request, e); // the client went away during its upload
    }
    if (body.length > MAX_REQUEST_BYTES) {
      answer(
          response,
          new ErrorResponse(
              413, "too_large", "Request body is over " + MAX_REQUEST_BYTES + " bytes"));
      return;
    }
    log.info("chat completion for caller id={} owner={}", id, owner);
    HttpResponse<InputStream> answer;
    try {
      answer =
          client.send(upstreamRequest(request, body), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      // timeout, no connection, or a connection closed before the answer: LMGate names it
      failed(request, response, UpstreamErrors.classify(e), e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed(request, response, Failure.GATEWAY_ERROR, e);
      return;
    }
    relay(request, answer, response);
  }

  private HttpRequest upstreamRequest(HttpServletRequest request, byte[] body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(upstream + CHAT_PATH))
            .timeout(ANSWER_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    String contentType = request.getContentType();
    builder.header("Content-Type", contentType != null ? contentType : "application/json");
    copyHeader(request, builder, "Authorization"); // the allow-listed key is the provider key
    copyHeader(request, builder, "Accept");
    copyHeader(request, builder, "OpenAI-Organization");
    copyHeader(request, builder, "OpenAI-Project");
    return builder.build();
  }

  private static void copyHeader(
      HttpServletRequest request, HttpRequest.Builder builder, String name) {
    String value = request.getHeader(name);
    if (value != null) {
      builder.header(name, value);
    }
  }

  /**
   * Status and headers first, then the body chunk by chunk: each chunk is written and flushed, so
   * an SSE event reaches the client (and LMGate's metering) the moment the provider sends it.
   */
  private static void relay(
      HttpServletRequest request, HttpResponse<InputStream> answer, HttpServletResponse response)
      throws IOException {
    try (InputStream in = answer.body()) {
      response.setStatus(answer.statusCode());
      answer.headers().firstValue("Content-Type").ifPresent(response::setContentType);
      answer
          .headers()
          .firstValue("x-request-id")
          .ifPresent(v -> response.setHeader("x-request-id", v));
      ServletOutputStream out = response.getOutputStream();
      byte[] buffer = new byte[8192];
      try {
        response.flushBuffer();
      } catch (IOException e) {
        throw clientGone(request, e);
      }
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          // the response has begun: nothing can be answered any more; the container cuts the
          // client's connection, and the usage record says the provider broke off
          FailureReports.report(request, Failure.UPSTREAM_DISCONNECTED);
          throw new IOException("the provider closed the answer mid-way: " + e.getMessage(), e);
        }
        if (n < 0) {
          return;
        }
        try {
          out.write(buffer, 0, n);
          out.flush();
        } catch (IOException e) {
          throw clientGone(request, e); // closing `in` aborts the provider's answer at once
        }
      }
    }
  }

  private static IOException clientGone(HttpServletRequest request, IOException e) {
    FailureReports.report(request, Failure.CLIENT_DISCONNECTED);
    return e;
  }

  private void failed(
      HttpServletRequest request, HttpServletResponse response, Failure failure, Exception cause)
      throws IOException {
    FailureReports.report(request, failure); // the usage record carries it
    log.warn("calling {} failed: {}: {}", upstream, failure.errorType(), cause.toString());
    answer(response, ErrorResponse.of(failure));
  }

  private static void answer(HttpServletResponse response, ErrorResponse error) throws IOException {
    byte[] body = error.body();
    response.setStatus(error.status());
    response.setContentType(ErrorResponse.CONTENT_TYPE);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
