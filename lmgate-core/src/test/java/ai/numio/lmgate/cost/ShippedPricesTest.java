package ai.numio.lmgate.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.numio.lmgate.meter.Usage;
import ai.numio.lmgate.route.Format;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The price table shipped in {@code config/prices.yaml} loads and prices what it says it does. */
class ShippedPricesTest {

  private static final Path FILE = repositoryRoot().resolve("config/prices.yaml");

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("config/prices.yaml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no config/prices.yaml above " + Path.of("").toAbsolutePath());
  }

  private static PriceTable table() throws PriceTableException {
    return PriceTableLoader.load(FILE, "config/prices.yaml");
  }

  @Test
  void loadsAndIsDated() throws Exception {
    assertThat(table().entries()).isNotEmpty();
    assertThat(Files.readString(FILE))
        .contains("Table date: 2026-12-03")
        .contains("Operators must check");
  }

  @Test
  void anthropicEntries() throws Exception {
    PriceTable table = table();
    ModelPrice opus55 = table.find("claude-opus-5-5", Format.ANTHROPIC);
    assertThat(opus55.input()).isEqualTo(4.0);
    assertThat(opus55.output()).isEqualTo(20.0);
    assertThat(opus55.cacheRead()).isEqualTo(0.20);
    assertThat(opus55.cacheWrite()).isEqualTo(5.0);

    assertThat(table.find("claude-opus-5", Format.ANTHROPIC).input()).isEqualTo(5.0);
    assertThat(table.find("claude-haiku-4-5-20251001", Format.ANTHROPIC).cacheRead())
        .isEqualTo(0.10);
    assertThat(table.find("claude-sonnet-5", Format.ANTHROPIC).output()).isEqualTo(10.0);
  }

  @Test
  void modelsLeftOutAreUnknownRatherThanPricedAsAnotherModel() throws Exception {
    PriceTable table = table();
    assertThat(table.find("claude-sonnet-5-5", Format.ANTHROPIC)).isNull();
    assertThat(table.find("claude-haiku-5-5", Format.ANTHROPIC)).isNull();
    assertThat(table.find("gpt-5.5", Format.OPENAI)).isNull();
    assertThat(table.find("gemini-3-pro", Format.GOOGLE)).isNull();
  }

  @Test
  void sonnet4LongContextTierCountsCachedInput() throws Exception {
    PriceTable table = table();
    // 100000 + 60000 + 40001 = 200001 > 200000: 100000·6 + 60000·0.6 + 40001·7.5 + 1000·22.5
    //   = 600000 + 36000 + 300007.5 + 22500 = 958507.5 per million
    Usage usage =
        new Usage("claude-sonnet-4-20250514", 100_000L, 1000L, 60_000L, 40_001L, null, null, true);
    assertThat(Cost.of(table, Format.ANTHROPIC, usage)).isCloseTo(0.9585075, within(1e-15));
  }
}
