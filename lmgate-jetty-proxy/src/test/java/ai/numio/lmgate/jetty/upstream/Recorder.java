package ai.numio.lmgate.jetty.upstream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;

/**
 * A listener that records what the engine tells it: the head, each body chunk as it came, the end
 * or the failure. It reads the body on demand unless told to hold it.
 */
final class Recorder implements UpstreamListener {

  final CompletableFuture<Integer> status = new CompletableFuture<>();
  final CompletableFuture<String> body = new CompletableFuture<>();
  final CompletableFuture<Throwable> failure = new CompletableFuture<>();
  final CompletableFuture<Throwable> bodyFailure = new CompletableFuture<>();
  final List<String> chunks = new CopyOnWriteArrayList<>();
  final AtomicInteger requestBegins = new AtomicInteger();
  final AtomicInteger outcomes = new AtomicInteger();
  final AtomicLong bytes = new AtomicLong();
  volatile HttpFields headers;
  volatile Content.Source source;
  private final ByteArrayOutputStream all = new ByteArrayOutputStream();
  private volatile boolean hold;

  /** A recorder that does not read the body until {@link #resume()}. */
  static Recorder holding() {
    Recorder r = new Recorder();
    r.hold = true;
    return r;
  }

  @Override
  public void onRequestBegin() {
    requestBegins.incrementAndGet();
  }

  @Override
  public void onResponse(int code, HttpFields fields, Content.Source content) {
    outcomes.incrementAndGet();
    headers = fields;
    source = content;
    status.complete(code);
    if (!hold) {
      pump();
    }
  }

  @Override
  public void onFailure(Throwable cause) {
    outcomes.incrementAndGet();
    failure.complete(cause);
  }

  void resume() {
    hold = false;
    pump();
  }

  private void pump() {
    while (true) {
      Content.Chunk chunk = source.read();
      if (chunk == null) {
        source.demand(this::pump);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        bodyFailure.complete(chunk.getFailure());
        return;
      }
      ByteBuffer buffer = chunk.getByteBuffer();
      if (buffer.hasRemaining()) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        bytes.addAndGet(copy.length);
        if (copy.length < 4096) {
          chunks.add(new String(copy, StandardCharsets.UTF_8));
        }
        synchronized (all) {
          if (all.size() < 1 << 20) {
            all.write(copy, 0, copy.length);
          }
        }
      }
      boolean last = chunk.isLast();
      chunk.release();
      if (last) {
        synchronized (all) {
          body.complete(all.toString(StandardCharsets.UTF_8));
        }
        return;
      }
    }
  }
}
