package ai.numio.lmgate.cost;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default price table the jar carries: {@code config/prices.yaml} of the source tree, packaged
 * as the class-path resource {@value #RESOURCE} by the build. In force unless {@code pricing.path}
 * names the operator's own file.
 */
public final class BundledPrices {

  /** Where the build puts the table. */
  static final String RESOURCE = "ai/numio/lmgate/cost/prices.yaml";

  /** How the table is named in messages and in {@link PriceTable#source()}. */
  static final String SOURCE = "bundled prices.yaml";

  private static final Logger log = LoggerFactory.getLogger(BundledPrices.class);

  private BundledPrices() {}

  /** The bundled table, read once. */
  public static PriceTable table() {
    return Holder.TABLE;
  }

  /**
   * Reads the resource. A jar without it, or with an invalid one, is a broken build, not an
   * operator's mistake: the gateway still runs, every cost unknown, with one ERROR saying so.
   */
  static PriceTable read(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        log.error(
            "The bundled price table {} is missing from the class path: every cost_usd will be"
                + " null until pricing.path names a price file",
            resource);
        return PriceTable.EMPTY;
      }
      return PriceTableLoader.parse(in.readAllBytes(), SOURCE);
    } catch (IOException | PriceTableException e) {
      log.error(
          "The bundled price table {} cannot be used: every cost_usd will be null until"
              + " pricing.path names a price file: {}",
          resource,
          e.getMessage());
      return PriceTable.EMPTY;
    }
  }

  private static final class Holder {
    static final PriceTable TABLE = read(BundledPrices.class.getClassLoader(), RESOURCE);
  }
}
