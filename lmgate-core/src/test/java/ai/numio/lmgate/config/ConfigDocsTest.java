package ai.numio.lmgate.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The documentation says what the schema says: the user guide's key table is {@link
 * ConfigDocs#table()}, and the shipped {@code config/lmgate.yaml} sets every key to its default.
 *
 * <p>To refresh the table after changing {@link ConfigSchema}, run {@code mvn -o -pl lmgate-core
 * test -Dtest=ConfigDocsTest -Dlmgate.updateDocs=true}.
 */
class ConfigDocsTest {

  static final String BEGIN = "<!-- config-table:begin (generated from ConfigSchema) -->\n";
  static final String END = "<!-- config-table:end -->\n";

  private static final Path ROOT = repositoryRoot();

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docs/user-guide.md"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no docs/user-guide.md above " + Path.of("").toAbsolutePath());
  }

  @Test
  void theUserGuidesTableIsTheSchemas() throws IOException {
    Path guide = ROOT.resolve("docs/user-guide.md");
    String text = Files.readString(guide, UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    assertThat(begin)
        .as("docs/user-guide.md must hold the marker lines %s and %s", BEGIN.trim(), END.trim())
        .isNotNegative()
        .isLessThan(end);
    String documented = text.substring(begin + BEGIN.length(), end);
    String generated = ConfigDocs.table();
    if (!documented.equals(generated) && Boolean.getBoolean("lmgate.updateDocs")) {
      Files.writeString(
          guide,
          text.substring(0, begin + BEGIN.length()) + generated + text.substring(end),
          UTF_8);
      return;
    }
    assertThat(documented)
        .as(
            "docs/user-guide.md's configuration table differs from ConfigSchema. Refresh it with"
                + " `mvn -o -pl lmgate-core test -Dtest=ConfigDocsTest -Dlmgate.updateDocs=true`"
                + " (or paste the expected table between the marker lines)")
        .isEqualTo(generated);
  }

  @Test
  void theShippedFileSetsEveryKeyToItsDefault() throws Exception {
    Path shipped = ROOT.resolve("config/lmgate.yaml");
    Problems problems = new Problems();
    Optional<Node> root = YamlFile.read(shipped, "config/lmgate.yaml", problems);
    RawSettings raw = new RawSettings();
    root.ifPresent(node -> FileLayer.apply(node, "config/lmgate.yaml", raw, problems));

    assertThat(problems.asList()).isEmpty();
    for (ConfigKey<?> key : ConfigSchema.SETTINGS) {
      if (key.optional()) {
        // no value by default: the file shows it commented out
        assertThat(Files.readString(shipped)).contains("# " + key.name() + ": ");
        continue;
      }
      assertThat(raw.get(key.path()).origin())
          .as("config/lmgate.yaml sets %s", key.path())
          .startsWith("config/lmgate.yaml line ");
    }
    assertThat(ConfigLoader.load(Optional.of(shipped), Map.of(), ROOT))
        .isEqualTo(LMGateConfig.defaults(ROOT));
  }
}
