package ai.numio.lmgate.otel;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real OTLP/HTTP receiver on loopback, as a collector is: {@code POST /v1/traces} and {@code POST
 * /v1/metrics} with protobuf bodies, decoded with the OpenTelemetry proto classes and kept for the
 * test to read.
 */
final class OtlpReceiver implements AutoCloseable {

  /** One POST as it arrived. */
  record Post(String path, String contentType, Map<String, String> headers) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  final List<Post> posts = new CopyOnWriteArrayList<>();
  private final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
  private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/traces", this::traces);
    server.createContext("/v1/metrics", this::metrics);
    server.setExecutor(threads);
    server.start();
  }

  /** The base address to give as {@code otel.endpoint}. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void traces(HttpExchange exchange) throws IOException {
    byte[] body = accept(exchange);
    if (body != null) {
      traces.add(ExportTraceServiceRequest.parseFrom(body));
      reply(exchange, ExportTraceServiceResponse.getDefaultInstance().toByteArray());
    }
  }

  private void metrics(HttpExchange exchange) throws IOException {
    byte[] body = accept(exchange);
    if (body != null) {
      metrics.add(ExportMetricsServiceRequest.parseFrom(body));
      reply(exchange, ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
    }
  }

  /** The body of a well-formed export, or null after answering 405/415. */
  private byte[] accept(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    posts.add(new Post(exchange.getRequestURI().getPath(), contentType, headers));
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.sendResponseHeaders(405, -1);
      exchange.close();
      return null;
    }
    if (!"application/x-protobuf".equals(contentType)) {
      exchange.sendResponseHeaders(415, -1);
      exchange.close();
      return null;
    }
    try (InputStream in = exchange.getRequestBody()) {
      return in.readAllBytes();
    }
  }

  private static void reply(HttpExchange exchange, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** Every span received so far, with its resource and scope. */
  List<Received> spans() {
    List<Received> spans = new ArrayList<>();
    for (ExportTraceServiceRequest request : traces) {
      for (ResourceSpans resource : request.getResourceSpansList()) {
        for (ScopeSpans scope : resource.getScopeSpansList()) {
          for (Span span : scope.getSpansList()) {
            spans.add(new Received(resource.getResource(), scope.getScope().getName(), span));
          }
        }
      }
    }
    return spans;
  }

  /** A span with where it came from. */
  record Received(Resource resource, String scope, Span span) {}

  /** The metrics of the last metrics export (cumulative: the totals so far), by name. */
  Map<String, Metric> latestMetrics() {
    Map<String, Metric> byName = new LinkedHashMap<>();
    if (metrics.isEmpty()) {
      return byName;
    }
    ExportMetricsServiceRequest last = metrics.get(metrics.size() - 1);
    for (ResourceMetrics resource : last.getResourceMetricsList()) {
      for (ScopeMetrics scope : resource.getScopeMetricsList()) {
        for (Metric metric : scope.getMetricsList()) {
          byName.put(metric.getName(), metric);
        }
      }
    }
    return byName;
  }

  /** The resource of the last metrics export. */
  Resource latestMetricsResource() {
    return metrics.get(metrics.size() - 1).getResourceMetrics(0).getResource();
  }

  int tracePosts() {
    return traces.size();
  }

  int metricPosts() {
    return metrics.size();
  }

  /** Attributes as a map of their values' text (strings, ints, doubles, booleans). */
  static Map<String, Object> attributes(List<KeyValue> attributes) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (KeyValue kv : attributes) {
      map.put(kv.getKey(), value(kv.getValue()));
    }
    return map;
  }

  private static Object value(AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return value.getStringValue();
      case INT_VALUE:
        return value.getIntValue();
      case DOUBLE_VALUE:
        return value.getDoubleValue();
      case BOOL_VALUE:
        return value.getBoolValue();
      default:
        return value.toString();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
