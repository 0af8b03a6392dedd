package ai.numio.lmgate.jetty;

import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.route.RouteMatch;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The one typed object a proxied request carries through Jetty's callbacks: where it goes, its core
 * exchange, and whether the client side failed first.
 */
final class ProxiedExchange {

  private static final String ATTRIBUTE = ProxiedExchange.class.getName();

  final RouteMatch match;
  final Exchange exchange;
  volatile boolean clientGone;
  volatile boolean responseStarted;

  private ProxiedExchange(RouteMatch match, Exchange exchange) {
    this.match = match;
    this.exchange = exchange;
  }

  static ProxiedExchange attach(HttpServletRequest request, RouteMatch match, Exchange exchange) {
    ProxiedExchange proxied = new ProxiedExchange(match, exchange);
    request.setAttribute(ATTRIBUTE, proxied);
    return proxied;
  }

  static ProxiedExchange of(HttpServletRequest request) {
    return (ProxiedExchange) request.getAttribute(ATTRIBUTE);
  }
}
