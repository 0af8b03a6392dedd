package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback OpenAI chat-completions upstream for process-level tests, built on the JDK HttpServer
 * with a thread per request, so hundreds of slow requests can be in flight at once.
 *
 * <p>Every request is numbered by its client: {@code metadata.n} in the body (a real field of the
 * chat API). The answer's usage and {@code x-request-id} are functions of that number, so each
 * usage record can be matched to its request and checked exactly. The metadata also says how to
 * answer: a JSON completion after {@code delay_ms}, or an SSE stream of {@code events} content
 * chunks {@code interval_ms} apart, then the usage chunk and {@code [DONE]}; {@code padding} makes
 * a JSON completion that many bytes larger.
 */
final class ChatUpstream implements AutoCloseable {

  static final String PATH = "/v1/chat/completions";
  static final String MODEL = "gpt-4o-mini-2024-07-18";

  /** How the upstream answers one request. */
  record Reply(boolean stream, int events, int intervalMs, int delayMs, int padding) {
    static Reply json(int delayMs) {
      return new Reply(false, 0, 0, delayMs, 0);
    }

    /** A JSON completion whose message has {@code padding} more bytes of text. */
    static Reply largeJson(int padding) {
      return new Reply(false, 0, 0, 0, padding);
    }

    static Reply stream(int events, int intervalMs) {
      return new Reply(true, events, intervalMs, 0, 0);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger cut = new AtomicInteger();

  ChatUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.setExecutor(threads);
    server.createContext(PATH, this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  static long inputTokens(int n) {
    return 1000L + n;
  }

  static long outputTokens(int n) {
    return 1L + n % 89;
  }

  static String requestId(int n) {
    return "req_" + n;
  }

  /** The request number of a usage record, from its {@code upstream_request_id}. */
  static int number(JsonNode record) {
    return Integer.parseInt(record.get("upstream_request_id").asText().substring(4));
  }

  /** A chat-completions request to the gateway at {@code base} for request {@code n}. */
  static HttpRequest request(URI base, String key, int n, Reply reply) {
    return request(base, key, n, reply, "");
  }

  /**
   * As {@link #request(URI, String, int, Reply)}, to {@code /openai/v1/chat/completions<tail>} (the
   * upstream answers any path under its own).
   */
  static HttpRequest request(URI base, String key, int n, Reply reply, String tail) {
    return HttpRequest.newBuilder(base.resolve("/openai" + PATH + tail))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(requestBody(n, reply)))
        .build();
  }

  /** The JSON body of request {@code n}. */
  static String requestBody(int n, Reply reply) {
    return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Request "
        + n
        + ": summarise the incident report in two lines.\"}],"
        + (reply.stream() ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "")
        + "\"metadata\":{\"n\":\""
        + n
        + "\",\"events\":\""
        + reply.events()
        + "\",\"interval_ms\":\""
        + reply.intervalMs()
        + "\",\"delay_ms\":\""
        + reply.delayMs()
        + "\",\"padding\":\""
        + reply.padding()
        + "\"}}";
  }

  /** The whole body the upstream sends for request {@code n}: what a client must receive. */
  static String responseBody(int n, Reply reply) {
    return String.join("", parts(n, reply));
  }

  /** Responses the upstream could not finish writing (the gateway went away). */
  int cut() {
    return cut.get();
  }

  /** Waits until {@code count} requests have reached the upstream. */
  void awaitReceived(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "only " + received.get() + " of " + count + " requests reached the upstream");
      }
      Thread.sleep(10);
    }
  }

  /** Waits until the upstream failed to finish {@code count} responses. */
  void awaitCut(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cut.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + cut.get() + " of " + count + " responses were cut");
      }
      Thread.sleep(10);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode meta = JSON.readTree(exchange.getRequestBody().readAllBytes()).get("metadata");
      int n = meta.get("n").asInt();
      Reply reply =
          new Reply(
              meta.get("events").asInt() > 0,
              meta.get("events").asInt(),
              meta.get("interval_ms").asInt(),
              meta.get("delay_ms").asInt(),
              meta.get("padding").asInt());
      received.incrementAndGet();
      List<String> parts = parts(n, reply);
      exchange.getResponseHeaders().add("x-request-id", requestId(n));
      try {
        if (reply.stream()) {
          exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
          exchange.sendResponseHeaders(200, 0);
          OutputStream out = exchange.getResponseBody();
          for (int i = 0; i < parts.size(); i++) {
            if (i > 0 && i < parts.size() - 1) {
              Thread.sleep(reply.intervalMs());
            }
            out.write(parts.get(i).getBytes(UTF_8));
            out.flush();
          }
        } else {
          Thread.sleep(reply.delayMs());
          byte[] body = parts.get(0).getBytes(UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        }
      } catch (IOException e) {
        cut.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The response body in the pieces the upstream writes, pausing between them. */
  private static List<String> parts(int n, Reply reply) {
    String usage =
        "{\"prompt_tokens\":"
            + inputTokens(n)
            + ",\"completion_tokens\":"
            + outputTokens(n)
            + ",\"total_tokens\":"
            + (inputTokens(n) + outputTokens(n))
            + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}}";
    String id = "\"id\":\"chatcmpl-" + n + "\",";
    if (!reply.stream()) {
      return List.of(
          "{"
              + id
              + "\"object\":\"chat.completion\",\"created\":1762254871,\"model\":\""
              + MODEL
              + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
              + "\"content\":\"Two lines for request "
              + n
              + "."
              + " ".repeat(reply.padding())
              + "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,"
              + "\"finish_reason\":\"stop\"}],\"usage\":"
              + usage
              + ",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_560af6e559\"}");
    }
    String head =
        "data: {"
            + id
            + "\"object\":\"chat.completion.chunk\",\"created\":1762255311,\"model\":\""
            + MODEL
            + "\",\"system_fingerprint\":\"fp_560af6e559\",\"choices\":";
    List<String> parts = new ArrayList<>();
    parts.add(
        head
            + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
    for (int i = 0; i < reply.events(); i++) {
      parts.add(
          head
              + "[{\"index\":0,\"delta\":{\"content\":\" part"
              + i
              + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,"
              + "\"obfuscation\":\"kKRkq6\"}\n\n");
    }
    parts.add(head + "[],\"usage\":" + usage + "}\n\ndata: [DONE]\n\n");
    return parts;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
