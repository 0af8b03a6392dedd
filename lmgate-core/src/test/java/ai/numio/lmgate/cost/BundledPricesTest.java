package ai.numio.lmgate.cost;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.route.Format;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The jar's default table is {@code config/prices.yaml}, the one copy in git. */
class BundledPricesTest {

  @Test
  void theResourceIsTheRepositorysPriceFile() throws Exception {
    byte[] resource;
    try (InputStream in =
        BundledPrices.class.getClassLoader().getResourceAsStream(BundledPrices.RESOURCE)) {
      assertThat(in).as("class-path resource " + BundledPrices.RESOURCE).isNotNull();
      resource = in.readAllBytes();
    }
    assertThat(resource).isEqualTo(Files.readAllBytes(repositoryFile()));
  }

  @Test
  void theBundledTableLoads() {
    PriceTable table = BundledPrices.table();

    assertThat(table.entries()).isNotEmpty();
    assertThat(table.source()).isEqualTo("bundled prices.yaml");
    assertThat(table.find("claude-sonnet-4-5-20250929", Format.ANTHROPIC).input()).isEqualTo(3.0);
  }

  @Test
  void aJarWithoutTheTableRunsWithEveryCostUnknown() {
    PriceTable table = BundledPrices.read(getClass().getClassLoader(), "no/such/prices.yaml");

    assertThat(table).isSameAs(PriceTable.EMPTY);
  }

  private static Path repositoryFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path file = dir.resolve("config/prices.yaml");
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    throw new IllegalStateException("no config/prices.yaml above " + Path.of("").toAbsolutePath());
  }
}
