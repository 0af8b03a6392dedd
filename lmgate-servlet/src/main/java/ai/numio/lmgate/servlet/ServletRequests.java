package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Headers;
import ai.numio.lmgate.IncomingRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** A servlet request as the core sees it. */
public final class ServletRequests {

  private ServletRequests() {}

  /** Method, raw path inside the webapp, raw query, headers and peer address of {@code request}. */
  public static IncomingRequest incoming(HttpServletRequest request) {
    return new IncomingRequest(
        request.getMethod(),
        pathInWebapp(request),
        request.getQueryString(),
        headers(request),
        request.getRemoteAddr());
  }

  /** The request's headers, read on demand. */
  public static Headers headers(HttpServletRequest request) {
    return new Headers() {
      @Override
      public List<String> values(String name) {
        return ServletRequests.values(request.getHeaders(name));
      }

      @Override
      public Iterable<String> names() {
        return ServletRequests.values(request.getHeaderNames());
      }
    };
  }

  /** The raw (still encoded) request path inside the webapp, without query; {@code /} if empty. */
  public static String pathInWebapp(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    String path =
        context != null && !context.isEmpty() && uri.startsWith(context)
            ? uri.substring(context.length())
            : uri;
    return path.isEmpty() ? "/" : path;
  }

  private static List<String> values(Enumeration<String> values) {
    return values == null ? List.of() : Collections.list(values);
  }
}
