package ai.numio.lmgate.jetty.upstream;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a raw {@link ServerSocket}: it counts accepted connections and runs a script per
 * connection, so a test says exactly what bytes go back and when the connection closes.
 */
final class RawUpstream implements AutoCloseable {

  /** What the upstream does with one accepted connection. */
  interface Script {
    void serve(Conn conn) throws Exception;
  }

  /** One request as the upstream read it. */
  record Request(String method, String target, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** One accepted connection. */
  static final class Conn {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final int index;

    Conn(Socket socket, int index) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
      this.index = index;
    }

    /** The next request, or null when the client closed the connection. */
    Request readRequest() throws IOException {
      String head = readHead();
      if (head == null) {
        return null;
      }
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      byte[] body;
      if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (true) {
          int size = Integer.parseInt(readLine().trim(), 16);
          if (size == 0) {
            readLine();
            break;
          }
          all.write(in.readNBytes(size));
          readLine();
        }
        body = all.toByteArray();
      } else {
        body = new byte[0];
      }
      return new Request(requestLine[0], requestLine[1], headers, body);
    }

    /** Reads a request head, or null at the end of the stream or at the socket's read timeout. */
    String readHead() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b;
        try {
          b = in.read();
        } catch (SocketTimeoutException | java.net.SocketException x) {
          return null;
        }
        if (b < 0) {
          if (head.size() == 0) {
            return null;
          }
          throw new EOFException("request head cut short");
        }
        head.write(b);
        matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : 0;
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      return text.substring(0, text.length() - 4);
    }

    private String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new EOFException();
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }

    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Answers 200 with a body and Content-Length, plus extra header lines. */
    void respond(String body, String... extraHeaders) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head =
          new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
      for (String h : extraHeaders) {
        head.append(h).append("\r\n");
      }
      head.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
    }
  }

  private final ServerSocket server;
  private final Script script;
  private final AtomicInteger accepts = new AtomicInteger();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  RawUpstream(Script script) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.script = script;
    this.acceptor = new Thread(this::acceptLoop, "raw-upstream-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** An upstream that answers every request on a connection with the same body, keep-alive. */
  static RawUpstream answering(String body, String... extraHeaders) throws IOException {
    RawUpstream[] self = new RawUpstream[1];
    self[0] =
        new RawUpstream(
            conn -> {
              RawUpstream.Request r;
              while ((r = conn.readRequest()) != null) {
                self[0].requests.add(r);
                conn.respond(body, extraHeaders);
              }
            });
    return self[0];
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        int index = accepts.incrementAndGet();
        sockets.add(socket);
        Thread t =
            new Thread(
                () -> {
                  try (socket) {
                    script.serve(new Conn(socket, index));
                  } catch (Throwable x) {
                    if (!server.isClosed()) {
                      errors.add(x);
                    }
                  }
                },
                "raw-upstream-conn-" + index);
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  URI origin() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  int accepts() {
    return accepts.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
