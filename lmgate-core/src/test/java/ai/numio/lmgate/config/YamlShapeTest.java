package ai.numio.lmgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shape of the YAML file: syntax, unknown keys, mappings versus values, duplicates. */
class YamlShapeTest {

  @TempDir Path tmp;
  ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  @Test
  void anUnknownSectionListsTheValidSections() throws Exception {
    assertThat(fx.problemsOf("servr:\n  port: 9090\n"))
        .containsExactly(
            "servr: unknown key; valid keys: server, auth, stats, upstream, logging, policy, limits, pricing, otel, ui, metrics, providers"
                + " (config/lmgate.yaml line 1)");
  }

  /** A key pasted where a route's mapping or another value belongs is never shown in the error. */
  @Test
  void aValueThatLooksLikeAKeyIsMaskedInEveryError() throws Exception {
    String key = "sk-proj-Zq81mPastedByMistake0123456789abcd";
    assertThat(fx.problemsOf("providers:\n  openai: " + key + "\n"))
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem).doesNotContain(key).doesNotContain("PastedByMistake");
              assertThat(problem).contains("\"…89abcd\"");
              assertThat(problem).contains("(masked: it looks like a key)");
            });
    assertThat(fx.problemsOf("server:\n  port: " + key + "\n"))
        .singleElement()
        .satisfies(problem -> assertThat(problem).doesNotContain(key));
    // what is not key-shaped is still quoted in full, so the operator sees the mistake
    assertThat(fx.problemsOf("server:\n  port: eighty-eighty\n"))
        .singleElement()
        .satisfies(problem -> assertThat(problem).contains("\"eighty-eighty\""));
  }

  @Test
  void anUnknownKeyInASectionListsTheSectionsKeys() throws Exception {
    assertThat(fx.problemsOf("server:\n  port: 9090\n  prot: 9091\n"))
        .containsExactly(
            "server.prot: unknown key; valid keys in server: host, port, shutdown_grace_seconds,"
                + " error_format, overhead_header, idle_timeout_seconds, engine, tls.cert_path, tls.key_path, tls.port,"
                + " tls.poll_interval_seconds"
                + " (config/lmgate.yaml line 3)");
  }

  @Test
  void anUnknownKeyInARouteListsTheRouteKeys() throws Exception {
    assertThat(fx.problemsOf("providers:\n  openai:\n    upstrem: http://localhost:1\n"))
        .containsExactly(
            "providers.openai.upstrem: unknown key; valid keys in providers.openai: prefix,"
                + " upstream, format, enabled, upstream_key (config/lmgate.yaml line 3)");
  }

  @Test
  void aMappingOrListWhereAValueBelongsIsAnError() throws Exception {
    assertThat(
            fx.problemsOf(
                """
                server:
                  port:
                    value: 9090
                logging:
                  level: [INFO, DEBUG]
                providers:
                  openai:
                    upstream: {url: x}
                """))
        .containsExactly(
            "server.port: expected an integer, got a mapping (config/lmgate.yaml line 3)",
            "logging.level: expected a log level, got a list (config/lmgate.yaml line 5)",
            "providers.openai.upstream: expected an http(s) URL, got a mapping"
                + " (config/lmgate.yaml line 8)");
  }

  @Test
  void aValueWhereAMappingBelongsIsAnError() throws Exception {
    assertThat(
            fx.problemsOf(
                """
                server: 8080
                auth: [a, b]
                providers:
                  openai: https://api.openai.com
                """))
        .containsExactly(
            "server: expected a mapping of keys host, port, shutdown_grace_seconds, error_format,"
                + " overhead_header, idle_timeout_seconds, engine, tls.cert_path, tls.key_path, tls.port, tls.poll_interval_seconds, got \"8080\""
                + " (config/lmgate.yaml line 1)",
            "auth: expected a mapping of keys allowlist_path, poll_interval_seconds, got a list"
                + " (config/lmgate.yaml line 2)",
            "providers.openai: expected a mapping of keys prefix, upstream, format, enabled,"
                + " upstream_key, got \"https://api.openai.com\" (config/lmgate.yaml line 4)");
  }

  @Test
  void aTopLevelThatIsNotAMappingIsAnError() throws Exception {
    assertThat(fx.problemsOf("- server\n- auth\n"))
        .containsExactly(
            "config/lmgate.yaml line 1: expected a mapping of sections (server, auth, stats,"
                + " upstream, logging, policy, limits, pricing, otel, ui, metrics, providers) at the top level, got a list");
  }

  @Test
  void aKeyWithNoValueIsAnError() throws Exception {
    assertThat(fx.problemsOf("server:\n  port:\n  host: ~\n"))
        .containsExactly(
            "server.host has no value (config/lmgate.yaml line 3)",
            "server.port has no value (config/lmgate.yaml line 2)");
  }

  @Test
  void aQuotedEmptyStringIsAValueNotANull() throws Exception {
    assertThat(fx.problemsOf("server:\n  port: \"\"\n"))
        .containsExactly("server.port: expected an integer, got \"\" (config/lmgate.yaml line 2)");
  }

  @Test
  void aDuplicateKeyIsAnError() throws Exception {
    assertThat(fx.problemsOf("server:\n  port: 1\n  host: h\n  port: 2\n"))
        .containsExactly("server.port: given twice (also at line 2) (config/lmgate.yaml line 4)");
  }

  @Test
  void aYamlSyntaxErrorNamesFileLineAndColumn() throws Exception {
    assertThat(fx.problemsOf("server:\n  port: 8080\n   host: x\n"))
        .containsExactly(
            "config/lmgate.yaml line 3, column 8: invalid YAML: mapping values are not allowed"
                + " here");
  }

  @Test
  void anUnclosedFlowSequenceIsReportedWithItsContext() throws Exception {
    assertThat(fx.problemsOf("server:\n  port: [8080\n"))
        .containsExactly(
            "config/lmgate.yaml line 3, column 1: invalid YAML: while parsing a flow sequence,"
                + " expected ',' or ']', but got <stream end>");
  }

  @Test
  void twoDocumentsInOneFileAreAnError() throws Exception {
    assertThat(fx.problemsOf("server: {port: 1}\n---\nserver: {port: 2}\n"))
        .containsExactly(
            "config/lmgate.yaml line 2, column 1: invalid YAML: expected a single document in"
                + " the stream, but found another document");
  }

  @Test
  void invalidUtf8IsReportedWithItsLine() throws Exception {
    byte[] head = "server:\n  host: caf".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[head.length + 2];
    System.arraycopy(head, 0, bytes, 0, head.length);
    bytes[head.length] = (byte) 0xE9; // Latin-1 é
    bytes[head.length + 1] = '\n';
    fx.writeBytes("config/lmgate.yaml", bytes);

    assertThat(fx.problems())
        .containsExactly("config/lmgate.yaml line 2: not valid UTF-8; save the file as UTF-8");
  }

  @Test
  void aByteOrderMarkIsAccepted() throws Exception {
    fx.writeDefaultFile("\uFEFFserver:\n  port: 9191\n");

    assertThat(fx.load().server().port()).isEqualTo(9191);
  }

  @Test
  void multiLineValuesAreQuotedOnOneLine() throws Exception {
    assertThat(fx.problemsOf("server:\n  port: |\n    80\n    81\n"))
        .containsExactly(
            "server.port: expected an integer, got \"80\\n81\\n\" (config/lmgate.yaml line 2)");
  }
}
