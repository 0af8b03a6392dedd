package ai.numio.lmgate.servlet;

import ai.numio.lmgate.metrics.LMGateMetrics;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the Prometheus exposition of an {@link LMGateMetrics} (SPEC-2 §16), text
 * 0.0.4 or OpenMetrics when the {@code Accept} header asks; with {@code metrics.token} set, only
 * for {@code Authorization: Bearer <token>} (401 without a Bearer credential, 403 with another;
 * LMGate's JSON error body).
 *
 * <p>The standalone gateway mounts it on its own metrics. A webapp maps it in {@code web.xml}
 * (no-arg constructor): it then serves the metrics of the {@code LMGateFilter} of the same webapp,
 * which the filter publishes as the context attribute {@value #CONTEXT_ATTRIBUTE} when it starts (a
 * request before that is answered 503).
 */
public final class LMGateMetricsServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** The servlet-context attribute holding the webapp's {@link LMGateMetrics}. */
  public static final String CONTEXT_ATTRIBUTE = LMGateMetrics.class.getName();

  private transient volatile LMGateMetrics metrics;

  /** For {@code web.xml}: serves the metrics the webapp's LMGate filter publishes. */
  public LMGateMetricsServlet() {}

  /** Serves these metrics. */
  public LMGateMetricsServlet(LMGateMetrics metrics) {
    this.metrics = metrics;
  }

  /** Publishes a webapp's metrics for its {@code LMGateMetricsServlet} (the filter does this). */
  public static void publish(ServletContext context, LMGateMetrics metrics) {
    context.setAttribute(CONTEXT_ATTRIBUTE, metrics);
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    LMGateMetrics current = metrics();
    if (current == null) {
      reply(
          response,
          503,
          "{\"error\":\"unavailable\",\"message\":\"No LMGate filter has started in this"
              + " webapp\"}");
      return;
    }
    LMGateMetrics.Access access = current.access(request.getHeader("Authorization"));
    if (access != LMGateMetrics.Access.ALLOWED) {
      if (access == LMGateMetrics.Access.UNAUTHORIZED) {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"lmgate-metrics\"");
      }
      reply(response, access.status(), access.errorJson());
      return;
    }
    String accept = request.getHeader("Accept");
    response.setStatus(200);
    response.setContentType(current.contentType(accept));
    response.setHeader("Cache-Control", "no-store");
    try (OutputStream out = response.getOutputStream()) {
      current.write(accept, out);
    }
  }

  private LMGateMetrics metrics() {
    LMGateMetrics current = metrics;
    if (current == null
        && getServletContext().getAttribute(CONTEXT_ATTRIBUTE) instanceof LMGateMetrics found) {
      metrics = found;
      current = found;
    }
    return current;
  }

  private static void reply(HttpServletResponse response, int status, String json)
      throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
