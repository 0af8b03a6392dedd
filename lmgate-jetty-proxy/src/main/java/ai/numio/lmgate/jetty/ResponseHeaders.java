package ai.numio.lmgate.jetty;

import jakarta.servlet.http.HttpServletResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The upstream's response headers, passed to the client value for value.
 *
 * <p>Hop-by-hop headers (RFC 9110 §7.6.1) stay on the upstream connection: {@code Connection} and
 * every header it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code Proxy-Authenticate},
 * {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}. The container frames the
 * body for the client itself.
 */
final class ResponseHeaders {

  private static final Set<HttpHeader> HOP_BY_HOP =
      EnumSet.of(
          HttpHeader.CONNECTION,
          HttpHeader.KEEP_ALIVE,
          HttpHeader.PROXY_CONNECTION,
          HttpHeader.PROXY_AUTHENTICATE,
          HttpHeader.PROXY_AUTHORIZATION,
          HttpHeader.TE,
          HttpHeader.TRAILER,
          HttpHeader.TRANSFER_ENCODING,
          HttpHeader.UPGRADE);

  private ResponseHeaders() {}

  static void copy(HttpFields upstream, HttpServletResponse response) {
    List<String> connectionTokens =
        upstream.contains(HttpHeader.CONNECTION)
            ? upstream.getCSV(HttpHeader.CONNECTION, false)
            : List.of();
    for (HttpField field : upstream) {
      if (!isHopByHop(field, connectionTokens)) {
        // the first of a name replaces what the container set (its Date), the others add to it
        if (seenBefore(upstream, field)) {
          response.addHeader(field.getName(), field.getValue());
        } else {
          response.setHeader(field.getName(), field.getValue());
        }
      }
    }
  }

  private static boolean isHopByHop(HttpField field, List<String> connectionTokens) {
    HttpHeader header = field.getHeader();
    if (header == null) {
      header = HttpHeader.CACHE.get(field.getName()); // a known name in unusual case
    }
    if (header != null && HOP_BY_HOP.contains(header)) {
      return true;
    }
    for (String token : connectionTokens) {
      if (field.is(token)) {
        return true;
      }
    }
    return false;
  }

  private static boolean seenBefore(HttpFields fields, HttpField field) {
    for (HttpField earlier : fields) {
      if (earlier == field) {
        return false;
      }
      if (earlier.is(field.getName())) {
        return true;
      }
    }
    return false;
  }
}
