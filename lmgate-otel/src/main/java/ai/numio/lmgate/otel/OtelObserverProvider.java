package ai.numio.lmgate.otel;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.stats.RecordObserver;
import ai.numio.lmgate.stats.RecordObserverProvider;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code otel.endpoint}: found by the core through {@link java.util.ServiceLoader} when this module
 * is on the class path (the standalone jar and the WAR bundle it; a webapp adds it as a
 * dependency). With no endpoint it returns nothing and touches no OpenTelemetry class: the export
 * costs nothing when off. Starting connects nothing yet: an unreachable collector shows as failed
 * exports, never as a gateway that will not start.
 */
public final class OtelObserverProvider implements RecordObserverProvider {

  private static final Logger log = LoggerFactory.getLogger(OtelObserverProvider.class);

  @Override
  public Optional<RecordObserver> open(LMGateConfig config) {
    LMGateConfig.Otel otel = config.otel();
    if (!otel.enabled()) {
      return Optional.empty();
    }
    OtelExport export = OtelExport.start(GenAiTelemetry.start(config), otel.queueCapacity());
    log.info(
        "OpenTelemetry: a span per request and the GenAI metrics go to {} every {} s as service {}",
        otel.endpoint(),
        otel.exportIntervalSeconds(),
        otel.serviceName());
    return Optional.of(export);
  }
}
