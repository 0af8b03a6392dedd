package ai.numio.lmgate.dashboard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The JSON the page polls ({@code /ui/api/summary}). Token and request counts are exact; costs are
 * USD as plain decimals rounded to 1e-9; percentiles are in milliseconds, each the upper bound of
 * the histogram bucket holding it (at most 25 % above the true value).
 *
 * <pre>{@code
 * {"range":"hour","by":"owner","bucket_seconds":60,"generated_at":"…","inflight":3,
 *  "history":{"state":"done","records":981234,"malformed":0,"files":31,"millis":2400},
 *  "buckets":[<epoch ms of each bucket's start>…],
 *  "totals":{"requests":…,"errors":…,"refusals":…,"input_tokens":…,"output_tokens":…,
 *            "cache_read_tokens":…,"cache_write_tokens":…,"unpriced":…,"cost_usd":…},
 *  "series":{"requests":[…],"errors":[…],"refusals":[…],"tokens":[…],"cost_usd":[…]},
 *  "groups":[{"name":"team-a", <totals>, "series":{"requests":[…],"tokens":[…],"cost_usd":[…]}}…],
 *  "top_spenders":[{"owner":"team-a", <totals>}…],
 *  "error_types":[{"error_type":"rate_limited","refusal":true,"count":12}…],
 *  "latency":{"duration_ms":{"count":…,"p50":…,"p90":…,"p99":…},"ttfb_ms":{…},"overhead_ms":{…}}}
 * }</pre>
 */
final class SummaryJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private SummaryJson() {}

  static byte[] write(Snapshot s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("range", s.range.configName());
      g.writeStringField("by", s.by.configName());
      g.writeNumberField("bucket_seconds", s.range.bucketMillis() / 1000);
      g.writeStringField("generated_at", Instant.ofEpochMilli(s.generatedAt).toString());
      g.writeNumberField("inflight", s.inflight);
      history(g, s.history);
      g.writeArrayFieldStart("buckets");
      for (long start : s.bucketStarts) {
        g.writeNumber(start);
      }
      g.writeEndArray();
      g.writeFieldName("totals");
      g.writeStartObject();
      totals(g, s.total);
      g.writeEndObject();
      g.writeFieldName("series");
      g.writeStartObject();
      series(g, "requests", s.total.series[Window.REQUESTS]);
      series(g, "errors", s.total.series[Window.ERRORS]);
      series(g, "refusals", s.total.series[Window.REFUSALS]);
      tokenSeries(g, s.total);
      costSeries(g, s.total.costSeries);
      g.writeEndObject();
      g.writeArrayFieldStart("groups");
      for (Snapshot.Totals t : s.groups) {
        g.writeStartObject();
        g.writeStringField("name", t.name);
        totals(g, t);
        g.writeFieldName("series");
        g.writeStartObject();
        series(g, "requests", t.series[Window.REQUESTS]);
        tokenSeries(g, t);
        costSeries(g, t.costSeries);
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("top_spenders");
      for (Snapshot.Totals t : s.topSpenders) {
        g.writeStartObject();
        g.writeStringField("owner", t.name);
        totals(g, t);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("error_types");
      for (Snapshot.ErrorCount e : s.errorTypes) {
        g.writeStartObject();
        g.writeStringField("error_type", e.errorType());
        g.writeBooleanField("refusal", e.refusal());
        g.writeNumberField("count", e.count());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeFieldName("latency");
      g.writeStartObject();
      percentiles(g, "duration_ms", s.latency.duration());
      percentiles(g, "ttfb_ms", s.latency.ttfb());
      percentiles(g, "overhead_ms", s.latency.overhead());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return out.toByteArray();
  }

  private static void history(JsonGenerator g, History.View h) throws IOException {
    g.writeFieldName("history");
    g.writeStartObject();
    g.writeStringField("state", h.state().name().toLowerCase(java.util.Locale.ROOT));
    g.writeNumberField("records", h.records());
    g.writeNumberField("malformed", h.malformed());
    g.writeNumberField("files", h.files());
    g.writeNumberField("millis", h.millis());
    g.writeEndObject();
  }

  private static void totals(JsonGenerator g, Snapshot.Totals t) throws IOException {
    g.writeNumberField("requests", t.sums[Window.REQUESTS]);
    g.writeNumberField("errors", t.sums[Window.ERRORS]);
    g.writeNumberField("refusals", t.sums[Window.REFUSALS]);
    g.writeNumberField("input_tokens", t.sums[Window.INPUT]);
    g.writeNumberField("output_tokens", t.sums[Window.OUTPUT]);
    g.writeNumberField("cache_read_tokens", t.sums[Window.CACHE_READ]);
    g.writeNumberField("cache_write_tokens", t.sums[Window.CACHE_WRITE]);
    g.writeNumberField("unpriced", t.sums[Window.UNPRICED]);
    g.writeFieldName("cost_usd");
    writeCost(g, t.cost);
  }

  private static void series(JsonGenerator g, String name, long[] values) throws IOException {
    g.writeArrayFieldStart(name);
    for (long v : values) {
      g.writeNumber(v);
    }
    g.writeEndArray();
  }

  private static void tokenSeries(JsonGenerator g, Snapshot.Totals t) throws IOException {
    g.writeArrayFieldStart("tokens");
    long[] in = t.series[Window.INPUT];
    long[] out = t.series[Window.OUTPUT];
    for (int b = 0; b < in.length; b++) {
      g.writeNumber(in[b] + out[b]);
    }
    g.writeEndArray();
  }

  private static void costSeries(JsonGenerator g, double[] values) throws IOException {
    g.writeArrayFieldStart("cost_usd");
    for (double v : values) {
      writeCost(g, v);
    }
    g.writeEndArray();
  }

  /** A sum of doubles, rounded to 1e-9 USD so that 0.1 + 0.2 reads 0.3. */
  private static void writeCost(JsonGenerator g, double cost) throws IOException {
    BigDecimal rounded =
        BigDecimal.valueOf(cost).setScale(9, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
    g.writeNumber(rounded.signum() == 0 ? "0" : rounded.toPlainString());
  }

  private static void percentiles(JsonGenerator g, String name, long[] counts) throws IOException {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    g.writeFieldName(name);
    g.writeStartObject();
    g.writeNumberField("count", total);
    quantile(g, "p50", counts, total, 0.50);
    quantile(g, "p90", counts, total, 0.90);
    quantile(g, "p99", counts, total, 0.99);
    g.writeEndObject();
  }

  private static void quantile(JsonGenerator g, String name, long[] counts, long total, double q)
      throws IOException {
    long micros = LogHistogram.quantile(counts, 0, total, q);
    g.writeFieldName(name);
    if (micros < 0) {
      g.writeNull();
    } else {
      g.writeNumber(BigDecimal.valueOf(micros, 3).stripTrailingZeros().toPlainString());
    }
  }
}
