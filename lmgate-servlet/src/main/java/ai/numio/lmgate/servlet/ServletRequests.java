package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Headers;
import ai.numio.lmgate.IncomingRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/** A servlet request as the core sees it. */
public final class ServletRequests {

  /** Methods whose requests carry a body even when HTTP/2 gives no length for it. */
  private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

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

  /**
   * Whether the request has a body to forward. With a length, whether it is above 0; without one,
   * over HTTP/1.1 only a {@code Transfer-Encoding} announces a body, but HTTP/2 (and h2c) never
   * sends that header: a {@code POST}, {@code PUT} or {@code PATCH} without {@code content-length}
   * streams its body in DATA frames, so it is forwarded as a body of unknown length.
   */
  public static boolean hasBody(HttpServletRequest request) {
    long length = request.getContentLengthLong();
    if (length >= 0) {
      return length > 0;
    }
    if (request.getHeader("Transfer-Encoding") != null) {
      return true;
    }
    return !request.getProtocol().startsWith("HTTP/1.")
        && BODY_METHODS.contains(request.getMethod());
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
