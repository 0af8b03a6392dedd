package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's answers that do not need a running gateway. */
class MainTest {

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return Main.run(
            List.of(args),
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8),
            dir,
            env)
        .status();
  }

  @Test
  void helpAndVersion() {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString(UTF_8)).contains("java -jar lmgate.jar report").contains("hash-key");
    out.reset();
    assertThat(run(Map.of(), "--version")).isZero();
    assertThat(out.toString(UTF_8)).startsWith("lmgate ");
  }

  @Test
  void unknownCommandIsBadUsage() {
    assertThat(run(Map.of(), "frobnicate")).isEqualTo(2);
    assertThat(err.toString(UTF_8)).contains("unknown command or option 'frobnicate'");
    assertThat(run(Map.of(), "serve", "--confg", "x.yaml")).isEqualTo(2);
  }

  @Test
  void anUnknownConfigKeyExits2NamingIt() throws Exception {
    Path config = dir.resolve("lmgate.yaml");
    Files.writeString(config, "server:\n  prot: 9090\n");
    assertThat(run(Map.of(), "--config", config.toString())).isEqualTo(2);
    String message = err.toString(UTF_8);
    assertThat(message).contains("invalid configuration").contains("server.prot");
    assertThat(message).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void everyConfigProblemIsReportedAtOnce() {
    assertThat(
            run(
                Map.of("LMGATE_SERVER__PORT", "99999", "LMGATE_STATS__QUEUE_CAPACITY", "0"),
                "serve"))
        .isEqualTo(2);
    assertThat(err.toString(UTF_8))
        .contains("LMGATE_SERVER__PORT")
        .contains("LMGATE_STATS__QUEUE_CAPACITY");
  }

  @Test
  void aMissingAllowListExits2NamingTheFile() {
    assertThat(run(Map.of("LMGATE_AUTH__ALLOWLIST_PATH", "nowhere/keys.csv"), "serve"))
        .isEqualTo(2);
    assertThat(err.toString(UTF_8)).contains("keys.csv").doesNotContain("\tat ");
  }

  @Test
  void anUnusableTlsKeyExits2NamingTheFile() throws Exception {
    Files.writeString(dir.resolve("allowlist.csv"), "id,api_key,owner,added\n");
    Files.writeString(
        dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    Files.writeString(dir.resolve("tls.key"), "not a key\n");
    int code =
        run(
            Map.of(
                "LMGATE_AUTH__ALLOWLIST_PATH", "allowlist.csv",
                "LMGATE_SERVER__HOST", "127.0.0.1",
                "LMGATE_SERVER__PORT", "1",
                "LMGATE_SERVER__TLS__CERT_PATH", "tls.crt",
                "LMGATE_SERVER__TLS__KEY_PATH", "tls.key"),
            "serve");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(UTF_8))
        .isEqualTo(
            "lmgate: the TLS certificate cannot be used (server.tls.*):\n  - "
                + dir.resolve("tls.crt")
                + ": certificate 1 of 1 is not a valid X.509 certificate (Could not parse"
                + " certificate: java.io.IOException: Empty input)\n");
  }

  /** SPEC-2 §15: a provider key reference that cannot be resolved stops the start, exit 2. */
  @Test
  void anUnresolvableProviderKeyExits2NamingTheSetting() throws Exception {
    Files.writeString(dir.resolve("allowlist.csv"), "id,api_key,owner,added\n");
    int code =
        run(
            Map.of(
                "LMGATE_AUTH__ALLOWLIST_PATH", "allowlist.csv",
                "LMGATE_SERVER__HOST", "127.0.0.1",
                "LMGATE_SERVER__PORT", "1",
                "LMGATE_PROVIDERS__OPENAI__UPSTREAM_KEY", "env:OPENAI_API_KEY",
                "LMGATE_PROVIDERS__ANTHROPIC__UPSTREAM_KEY", "file:" + dir.resolve("none.key")),
            "serve");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(UTF_8))
        .isEqualTo(
            "lmgate: a provider key the gateway should hold cannot be resolved:\n"
                + "  - providers.openai.upstream_key: env:OPENAI_API_KEY: environment variable"
                + " OPENAI_API_KEY is not set\n"
                + "  - providers.anthropic.upstream_key: file:"
                + dir.resolve("none.key")
                + ": file not found\n");
  }

  @Test
  void aLiteralProviderKeyIsAConfigurationErrorThatNeverShowsIt() throws Exception {
    String key = "sk-proj-pasted-into-the-yaml-0123456789abcdef";
    Path config = dir.resolve("lmgate.yaml");
    Files.writeString(config, "providers:\n  openai:\n    upstream_key: \"" + key + "\"\n");
    assertThat(run(Map.of(), "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString(UTF_8))
        .contains("providers.openai.upstream_key: is not a key reference")
        .contains("line 3")
        .doesNotContain(key)
        .doesNotContain("abcdef");
  }

  @Test
  void aTlsKeyWithoutCertificateIsAConfigurationError() {
    assertThat(run(Map.of("LMGATE_SERVER__TLS__KEY_PATH", "tls.key"), "serve")).isEqualTo(2);
    assertThat(err.toString(UTF_8))
        .contains("server.tls.cert_path: is required with server.tls.key_path")
        .doesNotContain("\tat ");
  }

  @Test
  void aPortInUseExits1() throws Exception {
    Files.writeString(
        dir.resolve("allowlist.csv"), "id,api_key,owner,added\n1,sk-test-1,t,2026-01-01\n");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int code =
          run(
              Map.of(
                  "LMGATE_AUTH__ALLOWLIST_PATH", "allowlist.csv",
                  "LMGATE_SERVER__HOST", "127.0.0.1",
                  "LMGATE_SERVER__PORT", Integer.toString(taken.getLocalPort())),
              "serve");
      assertThat(code).isEqualTo(1);
      assertThat(err.toString(UTF_8))
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }
}
