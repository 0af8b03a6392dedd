package ai.numio.lmgate.jetty;

import ai.numio.lmgate.HopByHop;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The upstream's response headers, passed to the client value for value, except the hop-by-hop ones
 * ({@link HopByHop}), which stay on the upstream connection; the container frames the body for the
 * client itself.
 */
final class ResponseHeaders {

  private ResponseHeaders() {}

  static void copy(HttpFields upstream, HttpServletResponse response) {
    Set<String> named = HopByHop.connectionTokens(upstream.getValuesList(HttpHeader.CONNECTION));
    for (HttpField field : upstream) {
      if (!HopByHop.isHopByHop(field.getLowerCaseName(), named)) {
        // the first of a name replaces what the container set (its Date), the others add to it
        if (seenBefore(upstream, field)) {
          response.addHeader(field.getName(), field.getValue());
        } else {
          response.setHeader(field.getName(), field.getValue());
        }
      }
    }
  }

  /** As {@link #copy(HttpFields, HttpServletResponse)}, into a Jetty core response's headers. */
  static void copy(HttpFields upstream, HttpFields.Mutable response) {
    Set<String> named = HopByHop.connectionTokens(upstream.getValuesList(HttpHeader.CONNECTION));
    for (HttpField field : upstream) {
      if (!HopByHop.isHopByHop(field.getLowerCaseName(), named)) {
        // the first of a name replaces what the server set (its Date), the others add to it
        if (seenBefore(upstream, field)) {
          response.add(field);
        } else {
          response.put(field);
        }
      }
    }
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
