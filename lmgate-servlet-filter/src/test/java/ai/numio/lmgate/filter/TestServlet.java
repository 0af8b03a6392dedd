package ai.numio.lmgate.filter;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/** A servlet whose body is a lambda; counts its calls. */
final class TestServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** What the servlet does with a request. */
  @FunctionalInterface
  interface Body {
    void handle(HttpServletRequest request, HttpServletResponse response) throws Exception;
  }

  private final transient Body body;
  final AtomicInteger calls = new AtomicInteger();

  TestServlet(Body body) {
    this.body = body;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    calls.incrementAndGet();
    try {
      body.handle(request, response);
    } catch (ServletException | IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ServletException(e);
    }
  }
}
