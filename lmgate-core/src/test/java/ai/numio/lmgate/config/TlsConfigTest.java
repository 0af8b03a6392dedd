package ai.numio.lmgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.tls.*}: a nested group of keys in the file, in the environment, both or neither.
 */
class TlsConfigTest {

  @TempDir Path tmp;
  ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  @Test
  void offByDefault() throws Exception {
    LMGateConfig.Tls tls = fx.load().server().tls();
    assertThat(tls).isEqualTo(LMGateConfig.Tls.NONE);
    assertThat(tls.enabled()).isFalse();
    assertThat(tls.port()).isEqualTo(8443);
  }

  @Test
  void aNestedMappingInTheFileSetsTheKeys() throws Exception {
    fx.writeDefaultFile(
        "server:\n"
            + "  port: 9090\n"
            + "  tls:\n"
            + "    cert_path: certs/tls.crt\n"
            + "    key_path: /etc/lmgate/tls.key\n"
            + "    port: 9443\n"
            + "    poll_interval_seconds: 5\n");
    LMGateConfig.Server server = fx.load().server();
    assertThat(server.port()).isEqualTo(9090);
    assertThat(server.tls())
        .isEqualTo(
            new LMGateConfig.Tls(
                9443, fx.dir.resolve("certs/tls.crt"), Path.of("/etc/lmgate/tls.key"), 5));
    assertThat(server.tls().enabled()).isTrue();
  }

  @Test
  void environmentVariablesWithTwoSeparatorsSetTheKeys() throws Exception {
    LMGateConfig.Tls tls =
        fx.load(
                Map.of(
                    "LMGATE_SERVER__TLS__CERT_PATH", "a.crt",
                    "LMGATE_SERVER__TLS__KEY_PATH", "a.key",
                    "LMGATE_SERVER__TLS__PORT", "10443"))
            .server()
            .tls();
    assertThat(tls.certPath()).isEqualTo(fx.dir.resolve("a.crt"));
    assertThat(tls.keyPath()).isEqualTo(fx.dir.resolve("a.key"));
    assertThat(tls.port()).isEqualTo(10443);
  }

  @Test
  void aCertificateWithoutKeyNamesBothKeys() throws Exception {
    assertThat(fx.problemsOf("server:\n  tls:\n    cert_path: tls.crt\n"))
        .singleElement()
        .asString()
        .startsWith("server.tls.key_path: is required with server.tls.cert_path")
        .contains("both (TLS) or neither")
        .contains("config/lmgate.yaml line 3");
    Files.delete(fx.dir.resolve("config/lmgate.yaml"));
    assertThat(fx.problems(Map.of("LMGATE_SERVER__TLS__KEY_PATH", "tls.key")))
        .singleElement()
        .asString()
        .startsWith("server.tls.cert_path: is required with server.tls.key_path")
        .contains("environment variable LMGATE_SERVER__TLS__KEY_PATH");
  }

  @Test
  void anEmptyValueMeansNone() throws Exception {
    fx.writeDefaultFile("server:\n  tls:\n    cert_path: \"\"\n    key_path: \"\"\n");
    assertThat(fx.load().server().tls().enabled()).isFalse();
  }

  @Test
  void anUnknownKeyInTheGroupListsTheGroupsKeys() throws Exception {
    assertThat(fx.problemsOf("server:\n  tls:\n    cert: x\n"))
        .singleElement()
        .asString()
        .startsWith("server.tls.cert: unknown key; valid keys in server.tls: cert_path, key_path,");
    assertThat(fx.problemsOf("server:\n  tls: yes\n"))
        .singleElement()
        .asString()
        .startsWith("server.tls: expected a mapping of keys cert_path, key_path");
    Files.delete(fx.dir.resolve("config/lmgate.yaml"));
    assertThat(fx.problems(Map.of("LMGATE_SERVER__TLS__CERT", "x")))
        .singleElement()
        .asString()
        .contains("LMGATE_SERVER__TLS__CERT_PATH");
  }

  @Test
  void theRecordChecksThePairAndThePort() {
    assertThatThrownBy(() -> new LMGateConfig.Tls(8443, Path.of("/a.crt"), null, 30))
        .hasMessageContaining("server.tls.cert_path, server.tls.key_path: give both");
    assertThatThrownBy(() -> new LMGateConfig.Tls(0, null, null, 30))
        .hasMessageStartingWith("server.tls.port: must be between 1 and 65535");
  }
}
