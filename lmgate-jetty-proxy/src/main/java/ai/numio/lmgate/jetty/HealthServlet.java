package ai.numio.lmgate.jetty;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /healthz}: 200 {@code ok}, no key needed. */
final class HealthServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("text/plain");
    response.setContentLength(OK.length);
    response.getOutputStream().write(OK);
  }
}
