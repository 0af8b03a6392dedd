package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.route.RouteMatch;
import ai.numio.lmgate.route.Router;
import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upstream hosts with {@code _} (SPEC-2 §12: Docker Compose service names such as {@code
 * http://my_vllm:8000}), in which {@link URI} finds no host. The configuration and the core accept
 * them; Jetty's {@code HttpClient} refuses a request URI without a host, so the gateway cannot
 * forward to them yet (docs/functional-spec.md, "Upstream hosts with _"). Such a name resolves only
 * through DNS or /etc/hosts, which tests must not edit: these tests use a name that resolves
 * nowhere, or the client's own resolver.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class UnderscoreHostUpstreamTest {

  @Parameter String engine;

  @TempDir Path dir;
  private Gateway gateway;
  private RawUpstream upstream;
  private org.eclipse.jetty.client.HttpClient jetty;

  @AfterEach
  void tearDown() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (jetty != null) {
      jetty.stop();
    }
  }

  /**
   * The gateway forwards to such a host: here the name resolves nowhere, so the forward fails as a
   * connection that could not be made ({@code 502 upstream_unreachable}), not as a request Jetty's
   * client refused to build ({@code 500 gateway_error}, as before the gateway gave the request its
   * host as {@link #jettysClientReachesSuchAHostWhenTheRequestIsGivenItsHost} does).
   */
  @Test
  void theGatewayForwardsToSuchAHost() throws Exception {
    gateway = Gateway.on(engine).start(dir, URI.create("http://no_such_upstream.invalid:9"));
    assertThat(gateway.server.gate().config().routes())
        .extracting(route -> route.upstream().toString())
        .containsOnly("http://no_such_upstream.invalid:9");

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(gateway.uri("/anthropic/v1/messages"))
                    .header("x-api-key", Gateway.ALPHA_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_unreachable\",\"message\":\"Upstream provider could not be"
                + " reached\"}");
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_unreachable");
  }

  @Test
  void jettysClientRefusesARequestUriWithoutHost() throws Exception {
    jetty = new org.eclipse.jetty.client.HttpClient();
    jetty.start();

    assertThatThrownBy(() -> jetty.newRequest("http://my_upstream:8000/v1/models"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid URI host: null (authority: my_upstream:8000)");
  }

  /**
   * What works, and the way for the adapter: a request made for a placeholder host and then given
   * the real one with {@code Request.host()} is resolved, connected and sent as {@code Host:
   * my_upstream:PORT}, with the URI and {@code Host} the core built for the route.
   */
  @Test
  void jettysClientReachesSuchAHostWhenTheRequestIsGivenItsHost() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> RawUpstream.fixedResponse(out, 200, "{}".getBytes(UTF_8)));
    URI configured = URI.create("http://my_upstream:" + upstream.port() + "/base");
    Router router = new Router(List.of(new Route("vllm", "/vllm/", configured, Format.OPENAI)));
    RouteMatch match = (RouteMatch) router.match("/vllm/v1/models");
    String target = match.upstreamUri("limit=5");
    assertThat(target)
        .isEqualTo("http://my_upstream:" + upstream.port() + "/base/v1/models?limit=5");
    assertThat(match.target().hostHeader()).isEqualTo("my_upstream:" + upstream.port());

    jetty = new org.eclipse.jetty.client.HttpClient();
    jetty.setSocketAddressResolver(
        (host, port, context, promise) -> {
          if (host.equals("my_upstream")) {
            promise.succeeded(
                List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
          } else {
            promise.failed(new UnknownHostException(host));
          }
        });
    jetty.start();
    String placeholder = target.replace("my_upstream", "placeholder.invalid");
    ContentResponse response = jetty.newRequest(placeholder).host("my_upstream").send();

    assertThat(response.getStatus()).isEqualTo(200);
    RawUpstream.Received received = upstream.onlyRequest();
    assertThat(received.requestLine()).isEqualTo("GET /base/v1/models?limit=5 HTTP/1.1");
    assertThat(received.header("Host")).isEqualTo(match.target().hostHeader());
  }
}
