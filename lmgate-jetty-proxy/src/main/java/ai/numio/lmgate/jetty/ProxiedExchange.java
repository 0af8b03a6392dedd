package ai.numio.lmgate.jetty;

import ai.numio.lmgate.Exchange;
import jakarta.servlet.http.HttpServletRequest;

/**
 * What a proxied request carries through Jetty's proxy callbacks: where it goes and its core
 * exchange, which holds everything else (whether the client went away, whether the response
 * started, the first failure).
 */
final class ProxiedExchange {

  private static final String ATTRIBUTE = ProxiedExchange.class.getName();

  /** The upstream URI: the route's upstream, the path remainder, the query as sent. */
  final String target;

  final Exchange exchange;

  private ProxiedExchange(String target, Exchange exchange) {
    this.target = target;
    this.exchange = exchange;
  }

  static ProxiedExchange attach(HttpServletRequest request, String target, Exchange exchange) {
    ProxiedExchange proxied = new ProxiedExchange(target, exchange);
    request.setAttribute(ATTRIBUTE, proxied);
    return proxied;
  }

  static ProxiedExchange of(HttpServletRequest request) {
    return (ProxiedExchange) request.getAttribute(ATTRIBUTE);
  }
}
