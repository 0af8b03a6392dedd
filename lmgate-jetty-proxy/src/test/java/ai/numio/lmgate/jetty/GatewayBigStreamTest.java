package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Responses far larger than memory. A stream of 1 GiB ({@code -Dlmgate.bigBody=256m} for less)
 * generated on the fly by the upstream passes with bounded heap and an exact record; a client that
 * reads nothing holds the upstream back instead of the gateway buffering the stream.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewayBigStreamTest {

  @Parameter String engine;

  private static final long MIB = 1024 * 1024;

  /** Heap in use after a full GC, at any sample, must stay below this. */
  private static final long HEAP_BOUND = 200 * MIB;

  /** What the upstream may write while the client reads nothing: socket and Jetty buffers. */
  private static final long BACKLOG_BOUND = 64 * MIB;

  /** One OpenAI chat chunk as the API streams it. */
  private static final byte[] EVENT =
      ("data: {\"id\":\"chatcmpl-BIG\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
              + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":"
              + "{\"content\":\" token\"},\"finish_reason\":null}],\"usage\":null}\n\n")
          .getBytes(US_ASCII);

  private static final int EVENTS_PER_BLOCK = 64 * 1024 / EVENT.length;
  private static final byte[] BLOCK = repeat(EVENT, EVENTS_PER_BLOCK);

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway gateway;

  @AfterEach
  void tearDown() throws IOException {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * The body size of the big test: {@code -Dlmgate.bigBody=256m} (k, m, g suffixes); default 1g.
   */
  static long bigBodyBytes() {
    String size = System.getProperty("lmgate.bigBody", "1g").trim().toLowerCase(Locale.ROOT);
    long unit =
        switch (size.charAt(size.length() - 1)) {
          case 'k' -> 1024L;
          case 'm' -> MIB;
          case 'g' -> 1024 * MIB;
          default -> 1L;
        };
    String digits = unit == 1 ? size : size.substring(0, size.length() - 1);
    return Long.parseLong(digits) * unit;
  }

  @Test
  void aHugeStreamPassesWithBoundedHeapAndExactTokens() throws Exception {
    ChatStream stream = new ChatStream(Math.max(1, bigBodyBytes() / BLOCK.length));
    upstream = new RawUpstream(stream::serve);
    gateway = Gateway.on(engine).start(dir, upstream.uri());

    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      socket.setSoTimeout(30_000);
      long start = System.nanoTime();
      sendRequest(socket, false);
      BufferedInputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200 ");
      Body body = new Body(100 * MIB);
      readBody(head, in, body);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "big stream: %d MiB in %.1f s = %.0f MiB/s through the gateway; heap after GC: baseline"
              + " %d MiB, max %d MiB%n",
          body.length / MIB,
          seconds,
          body.length / MIB / seconds,
          body.baselineHeap / MIB,
          body.maxHeap / MIB);

      assertThat(body.length).isEqualTo(stream.bodyBytes());
      assertThat(body.tail()).endsWith(ChatStream.lastEvents(stream.events()));
      assertThat(body.maxHeap).as("heap in use after GC").isLessThan(HEAP_BOUND);
    }
    stream.assertRecorded(gateway.awaitOnlyRecord());
  }

  @Test
  void aClientThatReadsNothingHoldsTheUpstreamBack() throws Exception {
    ChatStream stream = new ChatStream(512 * MIB / BLOCK.length);
    upstream = new RawUpstream(stream::serve);
    gateway = Gateway.on(engine).start(dir, upstream.uri());

    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      socket.setSoTimeout(30_000);
      sendRequest(socket, true);

      // The client reads nothing: the upstream can only fill the buffers on the way, then blocks.
      // (This stays well inside Jetty's 30 s idle timeout, which cuts a client stalled that long.)
      long stalledAt = awaitStall(stream.sent);
      long heapWhileStalled = heapAfterGc();
      System.out.printf(
          Locale.ROOT,
          "slow reader: upstream blocked after writing %.1f MiB of %d MiB; heap after GC %d MiB%n",
          stalledAt / (double) MIB,
          stream.bodyBytes() / MIB,
          heapWhileStalled / MIB);
      assertThat(stalledAt)
          .as("bytes the upstream wrote to a client reading nothing")
          .isLessThan(BACKLOG_BOUND);
      assertThat(heapWhileStalled).isLessThan(HEAP_BOUND);

      // Now it reads everything.
      long start = System.nanoTime();
      BufferedInputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200 ");
      Body body = new Body(0);
      readBody(head, in, body);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT, "slow reader: then read %d MiB in %.1f s%n", body.length / MIB, seconds);
      assertThat(body.length).isEqualTo(stream.bodyBytes());
      assertThat(body.tail()).endsWith(ChatStream.lastEvents(stream.events()));
    }
    stream.assertRecorded(gateway.awaitOnlyRecord());
  }

  /**
   * Slow (35 s; {@code -Dlmgate.slowFaults=true}): a client that stops reading for longer than
   * Jetty's 30 s idle timeout is cut; the upstream is let go and the record says {@code
   * client_disconnected}.
   */
  @Test
  void aClientStalledPastTheIdleTimeoutIsCut() throws Exception {
    assumeTrue(Boolean.getBoolean("lmgate.slowFaults"), "slow: -Dlmgate.slowFaults=true");
    ChatStream stream = new ChatStream(512 * MIB / BLOCK.length);
    upstream = new RawUpstream(stream::serve);
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      sendRequest(socket, true);
      long stalledAt = awaitStall(stream.sent);
      long start = System.nanoTime();
      Long upstreamClosedAt = upstream.connectionEnds.poll(60, TimeUnit.SECONDS);
      assertThat(upstreamClosedAt).as("upstream connection closed").isNotNull();
      Duration cutAfter = Duration.ofNanos(upstreamClosedAt - start);
      System.out.printf(
          Locale.ROOT,
          "stalled reader: upstream blocked after %.1f MiB, connection cut %d ms later%n",
          stalledAt / (double) MIB,
          cutAfter.toMillis());
      assertThat(cutAfter).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(40));
    }
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(record.get("output_tokens").isNull()).isTrue(); // the usage chunk never came
  }

  /** Waits until {@code sent} has not grown for 1.5 s (at most 20 s); returns its value then. */
  private static long awaitStall(AtomicLong sent) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    long last = -1;
    long unchangedSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = sent.get();
      if (now != last) {
        last = now;
        unchangedSince = System.nanoTime();
      } else if (now > 0 && System.nanoTime() - unchangedSince > 1_500_000_000L) {
        return now;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the upstream never blocked; it wrote " + sent.get() + " bytes");
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** POSTs a streaming chat request; with {@code close}, asks to close the connection after. */
  private static void sendRequest(Socket socket, boolean close) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
                + Gateway.ALPHA_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + ChatStream.REQUEST.length()
                + (close ? "\r\nConnection: close" : "")
                + "\r\n\r\n"
                + ChatStream.REQUEST)
            .getBytes(ISO_8859_1));
    out.flush();
  }

  /** The response head, up to and including the blank line. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Reads the body after {@code head}: chunked, or (with Connection: close) up to the close. */
  private static void readBody(String head, InputStream in, Body body) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    if (!head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked\r\n")) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        body.add(buffer, n);
      }
      return;
    }
    while (true) {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("connection closed inside the chunked body at " + body.length);
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      long size = Long.parseLong(line.toString().split(";")[0].trim(), 16);
      if (size == 0) {
        return;
      }
      for (long left = size; left > 0; ) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException("connection closed inside a chunk at " + body.length);
        }
        body.add(buffer, n);
        left -= n;
      }
      in.readNBytes(2); // CRLF after the chunk
    }
  }

  private static byte[] repeat(byte[] bytes, int times) {
    byte[] out = new byte[bytes.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(bytes, 0, out, i * bytes.length, bytes.length);
    }
    return out;
  }

  /** An OpenAI chat stream of {@code blocks} × ~64 KiB of chunks, then the usage chunk. */
  private static final class ChatStream {
    static final String REQUEST =
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";

    final long blocks;

    /** Body bytes the upstream has written so far (each write blocks while buffers are full). */
    final AtomicLong sent = new AtomicLong();

    ChatStream(long blocks) {
      this.blocks = blocks;
    }

    long events() {
      return blocks * EVENTS_PER_BLOCK;
    }

    long bodyBytes() {
      return blocks * BLOCK.length + lastEvents(events()).length();
    }

    /** The usage chunk (completion tokens = the number of content chunks) and {@code [DONE]}. */
    static String lastEvents(long events) {
      return "data: {\"id\":\"chatcmpl-BIG\",\"object\":\"chat.completion.chunk\",\"created\":"
          + "1764000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{"
          + "\"prompt_tokens\":1117,\"completion_tokens\":"
          + events
          + ",\"total_tokens\":"
          + (1117 + events)
          + ",\"prompt_tokens_details\":{\"cached_tokens\":1024},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\ndata: [DONE]\n\n";
    }

    void serve(RawUpstream.Received request, Socket socket, OutputStream out) throws IOException {
      RawUpstream.chunkedHead(out, 200, "text/event-stream", "x-request-id", "req_big");
      for (long i = 0; i < blocks; i++) {
        RawUpstream.chunk(out, BLOCK, 0, BLOCK.length);
        sent.addAndGet(BLOCK.length);
      }
      RawUpstream.chunk(out, lastEvents(events()));
      RawUpstream.lastChunk(out);
    }

    void assertRecorded(JsonNode record) {
      assertThat(record.get("status").asInt()).isEqualTo(200);
      assertThat(record.get("error_type").isNull()).isTrue();
      assertThat(record.get("stream").asBoolean()).isTrue();
      assertThat(record.get("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
      assertThat(record.get("input_tokens").asLong()).isEqualTo(1117);
      assertThat(record.get("output_tokens").asLong()).isEqualTo(events());
      assertThat(record.get("cache_read_tokens").asLong()).isEqualTo(1024);
      assertThat(record.get("reasoning_tokens").asLong()).isZero();
      assertThat(record.get("upstream_request_id").asText()).isEqualTo("req_big");
    }
  }

  /**
   * A body read and discarded: its length, its last KiB (to check how it ended), and the heap in
   * use after a full GC, sampled every {@code sampleEvery} bytes (0: never).
   */
  private static final class Body {
    private final byte[] tail = new byte[1024];
    private final long sampleEvery;
    private int tailLength;
    private long nextSample;
    long length;
    final long baselineHeap;
    long maxHeap;

    Body(long sampleEvery) {
      this.sampleEvery = sampleEvery;
      this.nextSample = sampleEvery;
      this.baselineHeap = sampleEvery > 0 ? heapAfterGc() : 0;
      this.maxHeap = baselineHeap;
    }

    void add(byte[] buffer, int n) {
      length += n;
      if (n >= tail.length) {
        System.arraycopy(buffer, n - tail.length, tail, 0, tail.length);
        tailLength = tail.length;
      } else {
        int keep = Math.min(tailLength, tail.length - n);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        System.arraycopy(buffer, 0, tail, keep, n);
        tailLength = keep + n;
      }
      if (sampleEvery > 0 && length >= nextSample) {
        maxHeap = Math.max(maxHeap, heapAfterGc());
        nextSample += sampleEvery;
      }
    }

    String tail() {
      return new String(Arrays.copyOf(tail, tailLength), US_ASCII);
    }
  }
}
