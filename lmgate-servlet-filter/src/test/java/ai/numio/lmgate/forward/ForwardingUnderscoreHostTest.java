package ai.numio.lmgate.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream hosts with {@code _} (SPEC-2 §12: Docker Compose service names) in the WAR: the
 * configuration accepts them, but the JDK {@code HttpClient} refuses a request URI in which {@link
 * URI} finds no host, so ForwardingServlet cannot forward to them (docs/functional-spec.md,
 * "Upstream hosts with _").
 */
class ForwardingUnderscoreHostTest {

  @TempDir Path dir;
  private ForwardingTomcat tomcat;

  @AfterEach
  void tearDown() throws Exception {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  @Test
  void theJdkClientRefusesARequestUriWithoutHost() {
    URI uri = URI.create("http://my_upstream:8000/v1/models");

    assertThatThrownBy(() -> HttpRequest.newBuilder(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unsupported URI http://my_upstream:8000/v1/models");
  }

  /**
   * Known limitation, pinned: the WAR starts with such a route, and refuses each request to it
   * before any connection is tried, as {@code 400 bad_request} (the JDK client's refusal is taken
   * for a request it cannot forward).
   */
  @Test
  void theWarAcceptsSuchARouteButCannotForwardToIt() throws Exception {
    tomcat = ForwardingTomcat.start(dir, URI.create("http://no_such_upstream.invalid:9"));

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(tomcat.uri("/anthropic/v1/messages"))
                    .header("x-api-key", "sk-ant-api03-test")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"error\":\"bad_request\"");
  }
}
