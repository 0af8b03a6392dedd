package ai.numio.lmgate.jetty;

/** {@link AnthropicSdkTest}: the official Anthropic SDK against the {@code lean} engine. */
class LeanAnthropicSdkTest extends AnthropicSdkTest {

  @Override
  String engine() {
    return "lean";
  }
}
