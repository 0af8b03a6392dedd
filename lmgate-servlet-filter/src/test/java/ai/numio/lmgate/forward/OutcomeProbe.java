package ai.numio.lmgate.forward;

import ai.numio.lmgate.Failure;
import ai.numio.lmgate.servlet.FailureReports;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A filter in front of the servlet that notes what a filter like {@code LMGateFilter} can see of
 * each exchange: the status, the failure the forwarder reported ({@link FailureReports}) and what
 * was thrown.
 */
final class OutcomeProbe implements Filter {

  /** What the filter saw of one exchange. */
  record Outcome(int status, Failure failure, Throwable thrown) {}

  private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Throwable thrown = null;
    AtomicReference<Failure> reported = new AtomicReference<>();
    FailureReports.listen(request, failure -> reported.compareAndSet(null, failure));
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      thrown = e;
      throw e;
    } finally {
      outcomes.add(
          new Outcome(((HttpServletResponse) response).getStatus(), reported.get(), thrown));
    }
  }

  /** The next exchange's outcome, waiting up to 10 s for it to end. */
  Outcome next() throws InterruptedException {
    Outcome outcome = outcomes.poll(10, TimeUnit.SECONDS);
    if (outcome == null) {
      throw new AssertionError("no exchange ended within 10 s");
    }
    return outcome;
  }
}
