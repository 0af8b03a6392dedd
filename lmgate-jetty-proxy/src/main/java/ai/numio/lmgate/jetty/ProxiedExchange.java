package ai.numio.lmgate.jetty;

import ai.numio.lmgate.BodyPrefix;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.UpstreamCredential;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;

/**
 * What a proxied request carries through Jetty's proxy callbacks: where it goes, its route's
 * upstream, and its core exchange, which holds everything else (whether the client went away,
 * whether the response started, the first failure).
 */
final class ProxiedExchange {

  private static final String ATTRIBUTE = ProxiedExchange.class.getName();

  /** The upstream URI: the route's upstream, the path remainder, the query as sent. */
  final String target;

  /** The route's upstream, as configured. */
  final URI upstream;

  final Exchange exchange;

  /** The body bytes the core read ahead (for a model rule), sent before the rest. */
  final BodyPrefix readAhead;

  /** The client's credentials as sent, or the provider key the gateway holds instead. */
  final UpstreamCredential credential;

  /** Whether a response body chunk has come from the upstream (Jetty calls in order). */
  boolean bodyStarted;

  private ProxiedExchange(
      String target,
      URI upstream,
      Exchange exchange,
      BodyPrefix readAhead,
      UpstreamCredential credential) {
    this.target = target;
    this.upstream = upstream;
    this.exchange = exchange;
    this.readAhead = readAhead;
    this.credential = credential;
  }

  static ProxiedExchange attach(
      HttpServletRequest request,
      String target,
      URI upstream,
      Exchange exchange,
      BodyPrefix readAhead,
      UpstreamCredential credential) {
    ProxiedExchange proxied =
        new ProxiedExchange(target, upstream, exchange, readAhead, credential);
    request.setAttribute(ATTRIBUTE, proxied);
    return proxied;
  }

  static ProxiedExchange of(HttpServletRequest request) {
    return (ProxiedExchange) request.getAttribute(ATTRIBUTE);
  }
}
