package ai.numio.lmgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code policy.*} and {@code limits.*} (SPEC-2 §14). */
class PolicyLimitsConfigTest {

  @TempDir Path tmp;
  private ConfigFixture fx;

  @BeforeEach
  void setUp() {
    fx = new ConfigFixture(tmp);
  }

  @Test
  void theDefaultsAreNoPolicyAndLimitsInMemoryThatAllowOnStoreErrors() throws Exception {
    LMGateConfig config = fx.load();
    assertThat(config.policy().path()).isNull();
    assertThat(config.policy().maxReadAheadBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(config.limits()).isEqualTo(LMGateConfig.Limits.MEMORY);
  }

  @Test
  void everyKeyCanBeSet() throws Exception {
    fx.writeDefaultFile(
        "policy:\n  path: conf/policy.yaml\n  max_read_ahead_bytes: 65536\n"
            + "limits:\n  store: redis\n  redis_url: rediss://:secret@cache.internal:6380/2\n"
            + "  on_store_error: deny\n");
    LMGateConfig config = fx.load();
    assertThat(config.policy().path()).isEqualTo(fx.dir.resolve("conf/policy.yaml"));
    assertThat(config.policy().maxReadAheadBytes()).isEqualTo(65536);
    assertThat(config.limits().store()).isEqualTo(LimitStoreKind.REDIS);
    assertThat(config.limits().redisUrl())
        .isEqualTo(URI.create("rediss://:secret@cache.internal:6380/2"));
    assertThat(config.limits().onStoreError()).isEqualTo(OnStoreError.DENY);
    assertThat(config.limits().toString()).doesNotContain("secret");
  }

  @Test
  void anEmptyPolicyPathMeansNone() throws Exception {
    fx.writeDefaultFile("policy:\n  path:\n");
    assertThat(fx.load().policy().path()).isNull();
    assertThat(fx.load(Map.of("LMGATE_POLICY__PATH", "")).policy().path()).isNull();
  }

  @Test
  void redisNeedsAUrl() {
    assertThat(fx.problems(Map.of("LMGATE_LIMITS__STORE", "redis")))
        .singleElement()
        .asString()
        .startsWith("limits.redis_url: is required with limits.store: redis");
  }

  @Test
  void aRedisUrlMustBeRedisOrRedissAndIsNeverEchoedWithAPassword() {
    assertThat(fx.problems(Map.of("LMGATE_LIMITS__REDIS_URL", "http://cache:6379")))
        .singleElement()
        .asString()
        .contains("\"http://cache:6379\"")
        .contains("the scheme must be redis or rediss");
    assertThat(fx.problems(Map.of("LMGATE_LIMITS__REDIS_URL", "https://u:hunter2@cache:6379")))
        .singleElement()
        .asString()
        .doesNotContain("hunter2")
        .contains("user info (not shown)");
    assertThat(fx.problems(Map.of("LMGATE_LIMITS__REDIS_URL", "redis://:hunter2@cache:99999")))
        .singleElement()
        .asString()
        .doesNotContain("hunter2")
        .contains("port");
    assertThat(fx.problems(Map.of("LMGATE_LIMITS__REDIS_URL", "redis://cache/x")))
        .singleElement()
        .asString()
        .contains("database number");
  }

  @Test
  void badChoicesAndCapsAreReported() {
    assertThat(
            fx.problems(
                Map.of(
                    "LMGATE_LIMITS__STORE", "etcd",
                    "LMGATE_LIMITS__ON_STORE_ERROR", "maybe",
                    "LMGATE_POLICY__MAX_READ_AHEAD_BYTES", "10")))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("limits.store").contains("memory, redis"))
        .anySatisfy(p -> assertThat(p).contains("limits.on_store_error").contains("allow, deny"))
        .anySatisfy(
            p -> assertThat(p).contains("policy.max_read_ahead_bytes").contains("between 1024"));
  }

  @Test
  void theRecordsCheckTheirValues() {
    assertThatThrownBy(
            () -> new LMGateConfig.Limits(LimitStoreKind.REDIS, null, OnStoreError.ALLOW))
        .hasMessageContaining("limits.redis_url");
    assertThatThrownBy(
            () ->
                new LMGateConfig.Limits(
                    LimitStoreKind.REDIS, URI.create("http://user:pw@host"), OnStoreError.ALLOW))
        .hasMessageNotContaining("pw@");
    assertThatThrownBy(() -> new LMGateConfig.Policy(null, 0))
        .hasMessageContaining("policy.max_read_ahead_bytes");
  }
}
