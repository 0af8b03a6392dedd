package ai.numio.lmgate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The headers a forwarding adapter adds with {@code upstream.forwarded_headers}: {@code Via} and
 * {@code X-Forwarded-For} appended to what earlier proxies sent, {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-Host} as this gateway saw the request. The client's own values of these four
 * are replaced, not passed on beside them. One rule for the gateway and the WAR's forwarder.
 */
public final class ForwardedHeaders {

  /** This gateway's {@code Via} entry. */
  static final String VIA = "1.1 lmgate";

  /** The four headers this rule writes, lower case. */
  public static final Set<String> NAMES =
      Set.of("via", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host");

  /** One header to set on the upstream request. */
  public record Header(String name, String value) {}

  private ForwardedHeaders() {}

  /** Whether a header (lower-case name) is one this rule writes anew. */
  public static boolean isForwardingHeader(String lowerName) {
    return NAMES.contains(lowerName);
  }

  /**
   * The headers to set upstream, in this order: {@code Via}, {@code X-Forwarded-For}, {@code
   * X-Forwarded-Proto}, then {@code X-Forwarded-Host} if the request named its host.
   *
   * @param incoming the client's request headers
   * @param clientAddress the peer address
   * @param scheme {@code http} or {@code https}, as the client reached this gateway
   * @param authority the host the client asked for: its {@code Host} header, or HTTP/2's {@code
   *     :authority} (some containers give HTTP/2 requests no {@code Host}); null if none
   */
  public static List<Header> of(
      Headers incoming, String clientAddress, String scheme, String authority) {
    List<Header> headers = new ArrayList<>(4);
    headers.add(new Header("Via", appended(incoming.values("Via"), VIA)));
    headers.add(
        new Header("X-Forwarded-For", appended(incoming.values("X-Forwarded-For"), clientAddress)));
    headers.add(new Header("X-Forwarded-Proto", scheme));
    if (authority != null && !authority.isEmpty()) {
      headers.add(new Header("X-Forwarded-Host", authority));
    }
    return headers;
  }

  private static String appended(List<String> earlier, String value) {
    return earlier.isEmpty() ? value : String.join(", ", earlier) + ", " + value;
  }
}
