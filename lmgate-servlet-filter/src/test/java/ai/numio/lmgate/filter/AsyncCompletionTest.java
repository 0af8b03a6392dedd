package ai.numio.lmgate.filter;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.Failure;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** How an async error the container reports is classified. */
class AsyncCompletionTest {

  @Test
  void anIoErrorAnywhereInTheCauseChainIsTheClientGoingAway() {
    assertThat(AsyncCompletion.classify(new IOException("Broken pipe")))
        .isEqualTo(Failure.CLIENT_DISCONNECTED);
    assertThat(AsyncCompletion.classify(new RuntimeException("wrapped", new EOFException())))
        .isEqualTo(Failure.CLIENT_DISCONNECTED);
  }

  @Test
  void anythingElseIsUnexpected() {
    assertThat(AsyncCompletion.classify(new IllegalStateException("bug")))
        .isEqualTo(Failure.GATEWAY_ERROR);
    assertThat(AsyncCompletion.classify(null)).isEqualTo(Failure.GATEWAY_ERROR);
  }
}
