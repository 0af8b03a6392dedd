package ai.numio.lmgate.jetty.upstream;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The idle connections to one origin (scheme, host, port), most recently used first: the warmest
 * connection is reused, the coldest ones age out. A connection is in here only while it has no
 * exchange; taking it out is the only way to give it one.
 */
final class OriginPool {

  private final String scheme;
  private final String authority;
  private final String host;
  private final int port;
  private final ArrayDeque<LeanConnection> idle = new ArrayDeque<>();

  /**
   * The pool of an origin {@code scheme://host[:port]}, read from its raw authority (a host name
   * {@link URI} cannot parse, such as {@code my_vllm}, has no {@link URI#getHost()}).
   *
   * @throws IllegalArgumentException if the origin is not http or https with a host
   */
  OriginPool(URI origin) {
    String s = origin.getScheme() == null ? "" : origin.getScheme().toLowerCase(Locale.ROOT);
    if (!s.equals("http") && !s.equals("https")) {
      throw new IllegalArgumentException("upstream origin must be http or https: " + origin);
    }
    String raw = origin.getRawAuthority();
    if (raw == null || raw.isEmpty()) {
      throw new IllegalArgumentException("upstream origin has no host: " + origin);
    }
    int at = raw.lastIndexOf('@');
    String hostPort = at >= 0 ? raw.substring(at + 1) : raw;
    int defaultPort = s.equals("https") ? 443 : 80;
    String h;
    int p;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      h = hostPort.substring(1, close);
      p =
          close + 1 < hostPort.length()
              ? Integer.parseInt(hostPort.substring(close + 2))
              : defaultPort;
    } else {
      int colon = hostPort.lastIndexOf(':');
      h = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
      p = colon >= 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : defaultPort;
    }
    this.scheme = s;
    this.authority = hostPort;
    this.host = h;
    this.port = p;
  }

  boolean secure() {
    return scheme.equals("https");
  }

  /** The {@code Host} header value: the origin's authority as written. */
  String authority() {
    return authority;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  /** The most recently returned idle connection, or null for none. */
  synchronized LeanConnection poll() {
    return idle.pollFirst();
  }

  /** Returns an idle connection, most recent first. */
  synchronized void offer(LeanConnection connection) {
    idle.addFirst(connection);
  }

  /** Forgets a connection that closed or expired while idle; false if it was not here. */
  synchronized boolean remove(LeanConnection connection) {
    return idle.remove(connection);
  }

  synchronized int size() {
    return idle.size();
  }

  /** Takes every idle connection out (to close them). */
  synchronized List<LeanConnection> drain() {
    List<LeanConnection> all = new ArrayList<>(idle);
    idle.clear();
    return all;
  }

  @Override
  public String toString() {
    return scheme + "://" + authority;
  }
}
