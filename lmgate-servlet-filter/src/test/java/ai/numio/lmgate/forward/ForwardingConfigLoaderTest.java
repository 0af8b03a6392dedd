package ai.numio.lmgate.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.testing.RawUpstream;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a ForwardingServlet declared in web.xml finds its configuration. */
class ForwardingConfigLoaderTest {

  @TempDir Path dir;

  private Path yaml(String name, String openAiUpstream) throws Exception {
    return Files.writeString(
        dir.resolve(name),
        "providers:\n  openai: { prefix: /openai/, upstream: "
            + openAiUpstream
            + ", format: openai }\n");
  }

  private static String openAiUpstream(LMGateConfig config) {
    return config.routes().stream()
        .filter(r -> r.name().equals("openai"))
        .findFirst()
        .orElseThrow()
        .upstream()
        .toString();
  }

  @Test
  void theServletInitParamWinsOverTheContextParamAndTheEnvironment() throws Exception {
    Path servletFile = yaml("servlet.yaml", "http://127.0.0.1:1111");
    Path contextFile = yaml("context.yaml", "http://127.0.0.1:2222");
    Path envFile = yaml("env.yaml", "http://127.0.0.1:3333");

    LMGateConfig config =
        ForwardingConfigLoader.load(
            servletConfig(
                Map.of("config", servletFile.toString()),
                Map.of("lmgate.config", contextFile.toString())),
            Map.of("LMGATE_CONFIG", envFile.toString()),
            dir);

    assertThat(openAiUpstream(config)).isEqualTo("http://127.0.0.1:1111");
  }

  @Test
  void theContextParamWinsOverTheEnvironment() throws Exception {
    Path contextFile = yaml("context.yaml", "http://127.0.0.1:2222");
    Path envFile = yaml("env.yaml", "http://127.0.0.1:3333");

    LMGateConfig config =
        ForwardingConfigLoader.load(
            servletConfig(Map.of(), Map.of("lmgate.config", contextFile.toString())),
            Map.of("LMGATE_CONFIG", envFile.toString()),
            dir);

    assertThat(openAiUpstream(config)).isEqualTo("http://127.0.0.1:2222");
  }

  @Test
  void withoutParamsTheEnvironmentNamesTheFileAndOverridesIt() throws Exception {
    Path envFile = yaml("env.yaml", "http://127.0.0.1:3333");

    LMGateConfig config =
        ForwardingConfigLoader.load(
            servletConfig(Map.of(), Map.of()),
            Map.of(
                "LMGATE_CONFIG", envFile.toString(), "LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "42"),
            dir);

    assertThat(openAiUpstream(config)).isEqualTo("http://127.0.0.1:3333");
    assertThat(config.upstream().idleTimeoutSeconds()).isEqualTo(42);
  }

  @Test
  void withNothingGivenTheDefaultsApply() throws Exception {
    LMGateConfig config =
        ForwardingConfigLoader.load(servletConfig(Map.of(), Map.of()), Map.of(), dir);

    assertThat(openAiUpstream(config)).isEqualTo("https://api.openai.com");
    assertThat(config.upstream().idleTimeoutSeconds()).isEqualTo(300);
    assertThat(config.routes()).hasSize(4);
  }

  @Test
  void anInvalidFileFailsInitNamingTheParamAndEveryProblem() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"),
            "upstream:\n  idle_timeout_secs: 5\n  connect_timeout_seconds: -1\n");

    assertThatThrownBy(
            () ->
                ForwardingConfigLoader.load(
                    servletConfig(Map.of("config", bad.toString()), Map.of()), Map.of(), dir))
        .isInstanceOf(ServletException.class)
        .hasMessageStartingWith(
            "LMGate servlet 'forward' cannot start: invalid configuration (file from init-param"
                + " 'config')\n  - ")
        .hasMessageContaining("idle_timeout_secs")
        .hasMessageContaining("connect_timeout_seconds");
  }

  @Test
  void aMissingFileFailsInit() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(
            () ->
                ForwardingConfigLoader.load(
                    servletConfig(Map.of(), Map.of("lmgate.config", missing.toString())),
                    Map.of(),
                    dir))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("context init-param 'lmgate.config'")
        .hasMessageContaining("nope.yaml")
        .hasMessageContaining("not found");
  }

  /** The no-arg servlet, as web.xml declares it, loads its file in init() and forwards by it. */
  @Test
  void aServletDeclaredWithoutConfigurationLoadsItInInit() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out, 200, "ok".getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
      Path file = yaml("servlet.yaml", upstream.uri().toString());
      try (ForwardingTomcat tomcat =
          ForwardingTomcat.start(
              dir, "/lmgate", new ForwardingServlet(), Map.of("config", file.toString()))) {
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(tomcat.uri("/openai/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
        assertThat(upstream.onlyRequest().requestLine()).isEqualTo("GET /v1/models HTTP/1.1");
      }
    }
  }

  /** A ServletConfig named {@code forward} with these init-params and context init-params. */
  private static ServletConfig servletConfig(
      Map<String, String> servletParams, Map<String, String> contextParams) {
    ServletContext context =
        (ServletContext)
            Proxy.newProxyInstance(
                ForwardingConfigLoaderTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getInitParameter" -> contextParams.get((String) args[0]);
                      case "getInitParameterNames" -> names(contextParams);
                      case "getContextPath" -> "";
                      default -> throw new UnsupportedOperationException(method.getName());
                    });
    return new ServletConfig() {
      @Override
      public String getServletName() {
        return "forward";
      }

      @Override
      public ServletContext getServletContext() {
        return context;
      }

      @Override
      public String getInitParameter(String name) {
        return servletParams.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return names(servletParams);
      }
    };
  }

  private static Enumeration<String> names(Map<String, String> params) {
    return Collections.enumeration(params.keySet());
  }
}
