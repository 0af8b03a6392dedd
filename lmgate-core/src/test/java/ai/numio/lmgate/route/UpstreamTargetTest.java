package ai.numio.lmgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamTargetTest {

  private static UpstreamTarget target(String upstream) {
    return UpstreamTarget.of(new Route("r", "/r/", URI.create(upstream), Format.OPENAI));
  }

  @ParameterizedTest
  @CsvSource({
    "https://api.openai.com, https://api.openai.com/v1/x",
    "https://api.openai.com/, https://api.openai.com/v1/x",
    "https://host/base, https://host/base/v1/x",
    "https://host/base/, https://host/base/v1/x",
    "https://host/base//, https://host/base/v1/x",
    "https://host/a/b, https://host/a/b/v1/x",
    "https://host/b%20ase, https://host/b%20ase/v1/x",
    "http://127.0.0.1:9999, http://127.0.0.1:9999/v1/x",
    "http://localhost:11434/v1compat, http://localhost:11434/v1compat/v1/x",
    "HTTPS://Api.Example.com, https://Api.Example.com/v1/x",
    "https://api.example.com:443, https://api.example.com:443/v1/x",
    "http://[::1]:8000, http://[::1]:8000/v1/x",
    "http://vllm_server:8000, http://vllm_server:8000/v1/x",
    "http://my_vllm, http://my_vllm/v1/x",
    "HTTP://My_Vllm:8000/base/, http://My_Vllm:8000/base/v1/x",
    "https://vllm_1.models_net, https://vllm_1.models_net/v1/x",
  })
  void joinsOriginBasePathAndRemainder(String upstream, String expected) {
    assertThat(target(upstream).uri("v1/x", null)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "https://api.openai.com, api.openai.com",
    "https://api.openai.com:443, api.openai.com",
    "https://api.openai.com:8443, api.openai.com:8443",
    "http://localhost:80/base, localhost",
    "http://localhost:443, localhost:443",
    "https://localhost:80, localhost:80",
    "http://127.0.0.1:9999, 127.0.0.1:9999",
    "http://[::1], [::1]",
    "http://[::1]:80, [::1]",
    "http://[::1]:8000, [::1]:8000",
    "http://vllm_server:8000, vllm_server:8000",
    "http://my_vllm, my_vllm",
    "http://my_vllm:80/base, my_vllm",
    "https://my_vllm:443, my_vllm",
    "https://my_vllm:80, my_vllm:80",
  })
  void hostHeaderIsTheAuthorityWithoutDefaultPort(String upstream, String host) {
    assertThat(target(upstream).hostHeader()).isEqualTo(host);
  }

  @ParameterizedTest
  @CsvSource({
    "https://host/base, '', https://host/base/",
    "https://host, '', https://host/",
    "https://host/base, v1/models/, https://host/base/v1/models/",
    "https://host/base, v1/a%2Bb%20c, https://host/base/v1/a%2Bb%20c",
  })
  void remainderIsAppendedUnchanged(String upstream, String remainder, String expected) {
    assertThat(target(upstream).uri(remainder, null)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://files.example.com",
        "api.openai.com",
        "/relative/path",
        "mailto:ops@example.com",
        "https:///no-host",
        "http://:8000",
      })
  void notAnAbsoluteHttpUrlIsRefused(String upstream) {
    assertThatThrownBy(() -> target(upstream))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "route 'r': upstream '"
                + upstream
                + "' is not an absolute http(s) URL; give a URL like https://api.openai.com or"
                + " http://127.0.0.1:8000/base");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://host/base?api-version=1", "https://host/base#frag"})
  void queryOrFragmentIsRefused(String upstream) {
    assertThatThrownBy(() -> target(upstream))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "route 'r': upstream '" + upstream + "' must not have a query or fragment;");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://user:s3cr3t@host",
        "http://s3cr3t@127.0.0.1:9999",
        "http://user:s3cr3t@my_vllm:8000"
      })
  void userInfoIsRefusedWithoutEchoingIt(String upstream) {
    assertThatThrownBy(() -> target(upstream))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "route 'r': upstream must not carry user info (user:password@);"
                + " clients send their own credentials")
        .hasMessageNotContaining("s3cr3t");
  }
}
