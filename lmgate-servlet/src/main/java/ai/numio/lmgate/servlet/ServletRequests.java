package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Headers;
import ai.numio.lmgate.IncomingRequest;
import ai.numio.lmgate.RequestFraming;
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
        request.getRemoteAddr(),
        (bytes, offset, length) -> request.getInputStream().read(bytes, offset, length));
  }

  /** Whether the request has a body to forward: see {@link RequestFraming#hasBody}. */
  public static boolean hasBody(HttpServletRequest request) {
    return RequestFraming.hasBody(
        request.getMethod(),
        request.getContentLengthLong(),
        request.getHeader("Transfer-Encoding") != null,
        request.getProtocol().startsWith("HTTP/1."));
  }

  /**
   * The host the client asked for: its {@code Host} header, else (Tomcat gives HTTP/2 requests no
   * {@code Host}, only {@code :authority}) the server name and port the container parsed from it.
   */
  public static String authority(HttpServletRequest request) {
    String host = request.getHeader("Host");
    if (host != null) {
      return host;
    }
    int port = request.getServerPort();
    boolean defaultPort =
        port <= 0
            || (port == 80 && "http".equals(request.getScheme()))
            || (port == 443 && "https".equals(request.getScheme()));
    String name = request.getServerName();
    return name == null ? null : defaultPort ? name : name + ":" + port;
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
