package ai.numio.lmgate;

import java.util.Set;

/**
 * Whether a request carries a body, from how it is framed, and what that means for an answer that
 * leaves the body unread: one rule for every adapter.
 */
public final class RequestFraming {

  /** Methods whose requests carry a body even when HTTP/2 gives no length for it. */
  private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

  private RequestFraming() {}

  /**
   * Whether the request has a body to forward. With a length, whether it is above 0; without one,
   * over HTTP/1.1 only a {@code Transfer-Encoding} announces a body, but HTTP/2 (and h2c) never
   * sends that header: a {@code POST}, {@code PUT} or {@code PATCH} without {@code content-length}
   * streams its body in DATA frames, so it is forwarded as a body of unknown length.
   *
   * @param contentLength the declared length, or -1 for none
   * @param transferEncoding whether the request has a {@code Transfer-Encoding} header
   * @param http1 whether the request came over HTTP/1.x
   */
  public static boolean hasBody(
      String method, long contentLength, boolean transferEncoding, boolean http1) {
    if (contentLength >= 0) {
      return contentLength > 0;
    }
    if (transferEncoding) {
      return true;
    }
    return !http1 && BODY_METHODS.contains(method);
  }

  /**
   * Whether LMGate's answer to a refused request says {@code Connection: close}: over HTTP/1.1 when
   * the request has a body left unread, so the client opens a new connection for its next request
   * instead of reusing one the server may close after this answer (a client racing that close sees
   * its next request fail with no response at all).
   */
  public static boolean closeAfterRefusal(boolean http1, boolean hasBody) {
    return http1 && hasBody;
  }
}
