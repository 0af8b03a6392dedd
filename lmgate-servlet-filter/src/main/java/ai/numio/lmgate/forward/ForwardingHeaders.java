package ai.numio.lmgate.forward;

import ai.numio.lmgate.ForwardedHeaders;
import ai.numio.lmgate.HopByHop;
import ai.numio.lmgate.UpstreamCredential;
import ai.numio.lmgate.meter.AcceptEncoding;
import ai.numio.lmgate.servlet.ServletRequests;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers {@link ForwardingServlet} passes on, each way: everything but the hop-by-hop
 * headers ({@link HopByHop}); upstream, also not {@code Host} (set from the upstream URI), nor the
 * headers the JDK client sets itself ({@code Content-Length}, {@code Expect}); {@code
 * Accept-Encoding} narrowed to what the meter can decode; and, when the gateway holds the provider
 * key, no client credential but the provider key ({@link UpstreamCredential}).
 */
final class ForwardingHeaders {

  /** Set by the JDK client from the URI and the body publisher; it refuses them from the caller. */
  private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length", "expect");

  private ForwardingHeaders() {}

  /**
   * Copies the client's headers to the upstream request.
   *
   * @param forwarded add {@code Via} and {@code X-Forwarded-*} ({@code upstream.forwarded_headers})
   * @param credential the client's credentials as sent, or the provider key in their place
   */
  static void copyRequestHeaders(
      HttpServletRequest request,
      HttpRequest.Builder upstream,
      boolean forwarded,
      UpstreamCredential credential) {
    Set<String> named =
        HopByHop.connectionTokens(Collections.list(request.getHeaders("Connection")));
    Set<String> seen = new HashSet<>();
    for (String name : Collections.list(request.getHeaderNames())) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!seen.add(lower)
          || HopByHop.isHopByHop(lower, named)
          || SET_BY_CLIENT.contains(lower)
          || lower.equals("accept-encoding")
          || credential.isClientCredential(lower)
          || (forwarded && ForwardedHeaders.isForwardingHeader(lower))) {
        continue;
      }
      for (String value : Collections.list(request.getHeaders(name))) {
        upstream.header(name, value);
      }
    }
    List<String> acceptEncoding = Collections.list(request.getHeaders("Accept-Encoding"));
    String narrowed =
        AcceptEncoding.narrow(acceptEncoding.isEmpty() ? null : String.join(", ", acceptEncoding));
    if (narrowed != null) {
      upstream.header("Accept-Encoding", narrowed);
    }
    if (credential.replacesClientCredentials()) {
      upstream.header(credential.headerName(), credential.headerValue());
    }
    if (forwarded) {
      addForwardingHeaders(request, upstream);
    }
  }

  /** Copies the upstream's response headers to the client's response. */
  static void copyResponseHeaders(HttpHeaders headers, HttpServletResponse response) {
    Set<String> named = HopByHop.connectionTokens(headers.allValues("Connection"));
    for (Map.Entry<String, List<String>> header : headers.map().entrySet()) {
      String name = header.getKey();
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith(":") || HopByHop.isHopByHop(lower, named)) {
        continue;
      }
      for (String value : header.getValue()) {
        response.addHeader(name, value);
      }
    }
  }

  /** The core's {@link ForwardedHeaders}, as this gateway saw the request. */
  private static void addForwardingHeaders(HttpServletRequest request, HttpRequest.Builder out) {
    for (ForwardedHeaders.Header header :
        ForwardedHeaders.of(
            ServletRequests.headers(request),
            request.getRemoteAddr(),
            request.getScheme(),
            ServletRequests.authority(request))) {
      out.header(header.name(), header.value());
    }
  }
}
