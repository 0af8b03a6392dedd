package ai.numio.lmgate.filter;

import static ai.numio.lmgate.filter.GateFiles.ALPHA_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.TimeSource;
import ch.qos.logback.classic.Level;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code init} tells an operator whose configuration is wrong, without a container. */
class LMGateFilterInitTest {

  @TempDir Path dir;

  /** A filter's deployment: its init-params and the context's init-params. */
  static FilterConfig deployment(Map<String, String> params, Map<String, String> contextParams) {
    ServletContext context =
        (ServletContext)
            Proxy.newProxyInstance(
                LMGateFilterInitTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getInitParameter")) {
                    return contextParams.get((String) args[0]);
                  }
                  if (method.getName().equals("setAttribute")) {
                    return null; // the filter publishes its metrics for LMGateMetricsServlet
                  }
                  if (method.getName().equals("getServletRegistrations")) {
                    return Map.of();
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "llm-egress";
      }

      @Override
      public ServletContext getServletContext() {
        return context;
      }

      @Override
      public String getInitParameter(String name) {
        return params.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(params.keySet());
      }
    };
  }

  @Test
  void anInvalidConfigurationFailsInitListingEveryProblem() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "server:\n  port: 70000\nstats:\n  flush_interval_seconds: 0\n");
    LMGateFilter filter = new LMGateFilter(Map.of(), dir);

    assertThatThrownBy(() -> filter.init(deployment(Map.of("config", bad.toString()), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasNoCause()
        .hasMessage(
            "LMGate filter 'llm-egress' cannot start: invalid configuration (file from init-param"
                + " 'config')\n"
                + "  - server.port: must be between 1 and 65535, got 70000 ("
                + bad
                + " line 2)\n"
                + "  - stats.flush_interval_seconds: must be greater than 0 (at most 2147483647),"
                + " got 0 ("
                + bad
                + " line 4)");
  }

  @Test
  void anInvalidAllowListFailsInitListingEveryProblem() throws Exception {
    GateFiles files =
        GateFiles.create(dir, "1,,team-a", "2," + ALPHA_KEY + ",team-b", "3," + ALPHA_KEY + ",c");
    LMGateFilter filter = new LMGateFilter(Map.of(), dir);

    assertThatThrownBy(
            () -> filter.init(deployment(Map.of("config", files.yaml.toString()), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasNoCause()
        .hasMessage(
            "LMGate filter 'llm-egress' cannot start: invalid allow-list\n"
                + "  - "
                + files.allowList
                + " line 2: empty api_key\n"
                + "  - "
                + files.allowList
                + " line 4: duplicate api_key (…XYZ123) — also on line 3")
        .message()
        .doesNotContain(ALPHA_KEY);
  }

  /** SPEC-2 §15: the webapp does not deploy when a provider key cannot be resolved. */
  @Test
  void anUnresolvableProviderKeyFailsInitNamingTheSetting() throws Exception {
    GateFiles files = GateFiles.create(dir);
    LMGateFilter filter =
        new LMGateFilter(
            Map.of("LMGATE_PROVIDERS__GEMINI__UPSTREAM_KEY", "env:GEMINI_API_KEY"), dir);

    assertThatThrownBy(
            () -> filter.init(deployment(Map.of("config", files.yaml.toString()), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessage(
            "LMGate filter 'llm-egress' cannot start: a provider key cannot be resolved\n"
                + "  - providers.gemini.upstream_key: env:GEMINI_API_KEY: environment variable"
                + " GEMINI_API_KEY is not set");
  }

  @Test
  void aBlankInitParamFallsBackToTheContextParam() {
    LMGateFilter filter = new LMGateFilter(Map.of(), dir);

    assertThatThrownBy(
            () ->
                filter.init(
                    deployment(
                        Map.of("config", "  "), Map.of("lmgate.config", "conf/missing.yaml"))))
        .isInstanceOf(ServletException.class)
        .hasMessage(
            "LMGate filter 'llm-egress' cannot start: invalid configuration (file from context"
                + " init-param 'lmgate.config')\n"
                + "  - configuration file conf/missing.yaml not found (looked for "
                + dir.resolve("conf/missing.yaml")
                + ")");
  }

  @Test
  void anUnknownUnroutedModeFailsInitNamingTheChoices() throws Exception {
    GateFiles files = GateFiles.create(dir);
    LMGateFilter filter = new LMGateFilter(Map.of(), dir);
    assertThatThrownBy(
            () ->
                filter.init(
                    deployment(
                        Map.of("config", files.yaml.toString(), "unrouted", "drop"), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessage(
            "LMGate filter 'llm-egress' cannot start: init-param 'unrouted' is \"drop\"; use"
                + " record (the default) or reject");
  }

  @Test
  void anUnknownProviderFailsInitNamingTheRoutes() throws Exception {
    GateFiles files = GateFiles.create(dir);
    LMGateFilter filter =
        new LMGateFilter(
            Map.of(
                "LMGATE_PROVIDERS__GROQ__PREFIX",
                "/groq/",
                "LMGATE_PROVIDERS__GROQ__UPSTREAM",
                "https://api.groq.com/openai",
                "LMGATE_PROVIDERS__GROQ__FORMAT",
                "openai"),
            dir);

    assertThatThrownBy(
            () ->
                filter.init(
                    deployment(
                        Map.of("config", files.yaml.toString(), "provider", "opneai"), Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessage(
            "LMGate filter 'llm-egress' cannot start: init-param 'provider': no route is named"
                + " 'opneai'; configured routes: openai, anthropic, google, gemini, groq");
  }

  @Test
  void aProviderForAGivenCoreMustBeARoute() throws Exception {
    try (LMGate gate = GateFiles.create(dir).startGate(TimeSource.system())) {
      assertThatThrownBy(() -> new LMGateFilter(gate, "opneai"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "no route is named 'opneai'; configured routes: openai, anthropic, google, gemini");

      LMGateFilter byParam = new LMGateFilter(gate);
      assertThatThrownBy(() -> byParam.init(deployment(Map.of("provider", "azure"), Map.of())))
          .isInstanceOf(ServletException.class)
          .hasMessage(
              "LMGate filter 'llm-egress' cannot start: init-param 'provider': no route is named"
                  + " 'azure'; configured routes: openai, anthropic, google, gemini");
    }
  }

  @Test
  void aConfigFileForAFilterOnAGivenCoreIsIgnoredWithAWarning() throws Exception {
    try (LMGate gate = GateFiles.create(dir).startGate(TimeSource.system());
        LogCapture log = new LogCapture(LMGateFilter.class)) {
      LMGateFilter filter = new LMGateFilter(gate);
      filter.init(deployment(Map.of(), Map.of("lmgate.config", "conf/other.yaml")));
      filter.destroy();

      assertThat(log.lines())
          .filteredOn(line -> line.level() == Level.WARN)
          .containsExactly(
              new LogCapture.Line(
                  Level.WARN,
                  "LMGate filter 'llm-egress': context init-param 'lmgate.config' is ignored; this"
                      + " filter runs on the LMGate it was given",
                  null));
    }
  }
}
