package ai.numio.lmgate.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback JDK HttpServer standing in for LMGate: records each request and answers with a minimal
 * valid provider response, JSON or (when the body asks for {@code "stream":true}) SSE.
 */
final class StubGateway implements AutoCloseable {

  /** A request as the stub received it. */
  record Received(String method, String path, String apiKey, String bearer, String body) {}

  /** What to answer: a JSON body, and the SSE body for a streaming request. */
  record Replies(String json, String sse) {}

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Replies replies;

  StubGateway(Replies replies) throws IOException {
    this.replies = replies;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Received> received() {
    return received;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
    received.add(
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            exchange.getRequestHeaders().getFirst("x-api-key"),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body));
    boolean stream = body.replace(" ", "").contains("\"stream\":true");
    byte[] answer = (stream ? replies.sse() : replies.json()).getBytes(UTF_8);
    exchange
        .getResponseHeaders()
        .add("Content-Type", stream ? "text/event-stream; charset=utf-8" : "application/json");
    exchange.sendResponseHeaders(200, answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
