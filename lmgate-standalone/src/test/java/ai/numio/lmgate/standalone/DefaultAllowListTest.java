package ai.numio.lmgate.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.auth.AllowListLoader;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultAllowListTest {

  @TempDir Path dir;

  private LMGateConfig config(Map<String, String> env) throws Exception {
    return ConfigLoader.load(Optional.empty(), env, dir);
  }

  @Test
  void missingDefaultAllowListIsCreatedWithNoKey() throws Exception {
    Path created = DefaultAllowList.createIfMissing(config(Map.of()), dir).orElseThrow();

    assertThat(created).isEqualTo(dir.resolve("data/allowlist.csv").toAbsolutePath());
    assertThat(Files.readString(created)).isEqualTo(DefaultAllowList.CONTENT);
    assertThat(AllowListLoader.load(created).size()).isZero();
  }

  @Test
  void defaultPathNamedExplicitlyIsStillTheDefault() throws Exception {
    LMGateConfig config =
        config(Map.of("LMGATE_AUTH__ALLOWLIST_PATH", "./data/../data/allowlist.csv"));

    assertThat(DefaultAllowList.createIfMissing(config, dir)).isPresent();
  }

  @Test
  void anotherMissingPathIsLeftForTheStartToReport() throws Exception {
    LMGateConfig config = config(Map.of("LMGATE_AUTH__ALLOWLIST_PATH", "keys/allowlist.csv"));

    assertThat(DefaultAllowList.createIfMissing(config, dir)).isEmpty();
    assertThat(dir.resolve("keys")).doesNotExist();
  }

  @Test
  void existingFileIsNeverTouched() throws Exception {
    Path file = dir.resolve("data/allowlist.csv");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "id,api_key,owner,added\n1,sk-kept,t,x\n");

    assertThat(DefaultAllowList.createIfMissing(config(Map.of()), dir)).isEmpty();
    assertThat(Files.readString(file)).isEqualTo("id,api_key,owner,added\n1,sk-kept,t,x\n");
  }

  @Test
  void danglingLinkIsNotFollowed() throws Exception {
    Path file = dir.resolve("data/allowlist.csv");
    Files.createDirectories(file.getParent());
    Files.createSymbolicLink(file, dir.resolve("elsewhere/keys.csv"));

    assertThat(DefaultAllowList.createIfMissing(config(Map.of()), dir)).isEmpty();
    assertThat(dir.resolve("elsewhere")).doesNotExist();
  }
}
