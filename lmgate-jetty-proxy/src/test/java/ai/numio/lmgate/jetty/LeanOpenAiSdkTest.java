package ai.numio.lmgate.jetty;

/** {@link OpenAiSdkTest}: the official OpenAI SDK against the {@code lean} engine. */
class LeanOpenAiSdkTest extends OpenAiSdkTest {

  @Override
  String engine() {
    return "lean";
  }
}
