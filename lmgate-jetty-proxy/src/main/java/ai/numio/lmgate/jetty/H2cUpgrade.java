package ai.numio.lmgate.jetty;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;

/**
 * h2c on the plain listener, declining an {@code Upgrade: h2c} offered with a chunked request body.
 * Jetty declines the upgrade for a body with a length but accepts it for a chunked one, then reads
 * that body's bytes as the HTTP/2 connection preface: the client (the JDK's {@code HttpClient}
 * sends such a first request for any streaming body) gets a reset and nothing reaches the upstream.
 * Declined, the request is served over HTTP/1.1 with its whole body, as RFC 9113 lets a server do;
 * h2c by prior knowledge and upgrades without a chunked body are unchanged.
 */
final class H2cUpgrade extends HTTP2CServerConnectionFactory {

  H2cUpgrade(HttpConfiguration http) {
    super(http);
  }

  @Override
  public Connection upgradeConnection(
      Connector connector,
      EndPoint endPoint,
      MetaData.Request request,
      HttpFields.Mutable response101) {
    if (request.getHttpFields().contains(HttpHeader.TRANSFER_ENCODING)) {
      return null;
    }
    return super.upgradeConnection(connector, endPoint, request, response101);
  }
}
