package ai.numio.lmgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisUrlTest {

  @Test
  void hostPortAndDatabase() {
    assertThat(RedisUrl.parse("redis://cache.internal:6380/2"))
        .isEqualTo(new RedisUrl(false, "cache.internal", 6380, 2, null, null));
    assertThat(RedisUrl.parse("redis://localhost"))
        .isEqualTo(new RedisUrl(false, "localhost", 6379, 0, null, null));
    assertThat(RedisUrl.parse("redis://10.0.0.5:7000/"))
        .isEqualTo(new RedisUrl(false, "10.0.0.5", 7000, 0, null, null));
    assertThat(RedisUrl.parse("redis://[::1]:6379/1"))
        .isEqualTo(new RedisUrl(false, "::1", 6379, 1, null, null));
  }

  @Test
  void tlsAndCredentials() {
    assertThat(RedisUrl.parse("rediss://:pa%40ss@redis.example:6390"))
        .isEqualTo(new RedisUrl(true, "redis.example", 6390, 0, null, "pa@ss"));
    assertThat(RedisUrl.parse("redis://gateway:pw@h:1/4"))
        .isEqualTo(new RedisUrl(false, "h", 1, 4, "gateway", "pw"));
    assertThat(RedisUrl.parse("redis://onlysecret@h"))
        .isEqualTo(new RedisUrl(false, "h", 6379, 0, null, "onlysecret"));
  }

  @Test
  void toStringHidesThePassword() {
    assertThat(RedisUrl.parse("rediss://:topsecret@h:6390/3").toString())
        .isEqualTo("rediss://:***@h:6390/3");
    assertThat(RedisUrl.parse("redis://gw:topsecret@h").toString())
        .isEqualTo("redis://gw:***@h:6379");
    assertThat(RedisUrl.parse("redis://h").toString()).isEqualTo("redis://h:6379");
  }

  @Test
  void badUrlsAreNamedWithoutThePassword() {
    assertBad("http://:topsecret@h:6379", "the scheme must be redis:// or rediss://");
    assertBad("redis://:topsecret@h:6379/x", "database number");
    assertBad("redis://:topsecret@h:99999", "");
    assertBad("redis://:topsecret@:6379", "");
    assertBad("redis://:topsecret@h:6379?timeout=1", "no query");
    assertBad("redis://:top secret@h:6379", "");
    assertBad("redis://topsecret@h:6379/a b", "");
    assertBad("localhost:6379", "");
    assertThatThrownBy(() -> RedisUrl.parse(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limits.redis_url");
    assertThatThrownBy(() -> RedisUrl.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void connectValidatesTheUrlAndTheTimeout() {
    assertThatThrownBy(() -> RedisLimitStore.connect("redis://:topsecret@h:0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("topsecret")
        .hasMessageContaining("redis://:***@h:0");
    assertThatThrownBy(() -> RedisLimitStore.connect("redis://h", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    // a valid URL opens nothing yet: no server is needed to create the store
    RedisLimitStore.connect("redis://127.0.0.1:1", Duration.ofMillis(100)).close();
  }

  private static void assertBad(String url, String why) {
    assertThatThrownBy(() -> RedisUrl.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("limits.redis_url '")
        .hasMessageContaining(why)
        .hasMessageNotContaining("topsecret")
        .hasMessageNotContaining("top secret");
  }
}
