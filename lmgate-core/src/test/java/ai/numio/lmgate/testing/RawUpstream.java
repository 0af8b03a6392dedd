package ai.numio.lmgate.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream on a raw loopback socket, for what a well-behaved HTTP server will not do: events
 * with delays, a slow first byte, a reset in the middle. Each connection reads one request (head
 * and body, chunked or not) and runs the test's script on the socket.
 */
public final class RawUpstream implements AutoCloseable {

  /** What the upstream does with one request. */
  @FunctionalInterface
  public interface Script {
    void run(Received request, Socket socket, OutputStream out) throws Exception;
  }

  /**
   * A request as the upstream received it.
   *
   * @param body the body, chunked coding removed
   * @param chunked whether the body came with {@code Transfer-Encoding: chunked}
   */
  public record Received(
      String requestLine, List<String> headerLines, byte[] body, boolean chunked) {

    /** The first value of the header, or null. */
    public String header(String name) {
      List<String> values = headers(name);
      return values.isEmpty() ? null : values.get(0);
    }

    /** Every line's value of the header, in order. */
    public List<String> headers(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      List<String> values = new ArrayList<>();
      for (String line : headerLines) {
        if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          values.add(line.substring(prefix.length()).trim());
        }
      }
      return values;
    }

    /** The header names, lower case, in order. */
    public List<String> headerNames() {
      List<String> names = new ArrayList<>();
      for (String line : headerLines) {
        names.add(line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT));
      }
      return names;
    }

    public String bodyText() {
      return new String(body, UTF_8);
    }
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  /** When each connection ended, as seen by the upstream (for "upstream closed promptly"). */
  public final BlockingQueue<Long> connectionEnds = new LinkedBlockingQueue<>();

  private volatile Script script;

  public RawUpstream(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  public int port() {
    return server.getLocalPort();
  }

  public void script(Script script) {
    this.script = script;
  }

  public List<Received> received() {
    return received;
  }

  /** The only request received so far; fails if not exactly one. */
  public Received onlyRequest() {
    if (received.size() != 1) {
      throw new AssertionError("expected one request upstream, got " + received.size());
    }
    return received.get(0);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      Received request = readRequest(in);
      if (request == null) {
        return;
      }
      received.add(request);
      OutputStream out = socket.getOutputStream();
      script.run(request, socket, out);
      out.flush();
      socket.shutdownOutput();
      // wait for the peer to close, so a test can see when the servlet let go
      while (in.read() >= 0) {
        // drain
      }
    } catch (Exception e) {
      // the servlet went away, or the script cut the connection: both are the point of a test
    } finally {
      connectionEnds.add(System.nanoTime());
    }
  }

  private static Received readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      head.write(b);
      matched = (b == '\r' || b == '\n') ? (b == "\r\n\r\n".charAt(matched) ? matched + 1 : 0) : 0;
    }
    if (matched < 4) {
      return null;
    }
    String[] lines = head.toString(ISO_8859_1).split("\r\n");
    List<String> headerLines = List.of(lines).subList(1, lines.length);
    Received bare = new Received(lines[0], headerLines, new byte[0], false);
    String length = bare.header("content-length");
    if (length != null) {
      return new Received(lines[0], headerLines, in.readNBytes(Integer.parseInt(length)), false);
    }
    if ("chunked".equalsIgnoreCase(bare.header("transfer-encoding"))) {
      return new Received(lines[0], headerLines, readChunkedBody(in), true);
    }
    return bare;
  }

  private static byte[] readChunkedBody(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (b != '\r') {
          line.append((char) b);
        }
      }
      int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
      body.write(in.readNBytes(size));
      in.readNBytes(2);
      if (size == 0) {
        return body.toByteArray();
      }
    }
  }

  // --- helpers for scripts ---

  /** Writes a whole response with {@code Content-Length}; {@code headers} are name, value pairs. */
  public static void fixedResponse(OutputStream out, int status, byte[] body, String... headers)
      throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    out.write(head.toString().getBytes(US_ASCII));
    out.write(body);
    out.flush();
  }

  /** Writes a response head with chunked transfer coding. */
  public static void chunkedHead(
      OutputStream out, int status, String contentType, String... headers) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
    head.append("Content-Type: ").append(contentType).append("\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    head.append("Transfer-Encoding: chunked\r\n\r\n");
    out.write(head.toString().getBytes(US_ASCII));
    out.flush();
  }

  /** Writes one chunk and flushes it. */
  /** Writes one chunk of {@code bytes[offset, offset+length)} and flushes it. */
  public static void chunk(OutputStream out, byte[] bytes, int offset, int length)
      throws IOException {
    if (length == 0) {
      return;
    }
    out.write((Integer.toHexString(length) + "\r\n").getBytes(US_ASCII));
    out.write(bytes, offset, length);
    out.write("\r\n".getBytes(US_ASCII));
    out.flush();
  }

  public static void chunk(OutputStream out, String text) throws IOException {
    byte[] bytes = text.getBytes(UTF_8);
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(US_ASCII));
    out.write(bytes);
    out.write("\r\n".getBytes(US_ASCII));
    out.flush();
  }

  /** Ends a chunked body. */
  public static void lastChunk(OutputStream out) throws IOException {
    out.write("0\r\n\r\n".getBytes(US_ASCII));
    out.flush();
  }

  /** Cuts the connection with a TCP reset. */
  public static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
