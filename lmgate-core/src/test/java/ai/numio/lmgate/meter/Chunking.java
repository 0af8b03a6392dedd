package ai.numio.lmgate.meter;

import java.util.Random;

/** Ways to cut a body into chunks, as a network would. */
enum Chunking {
  WHOLE,
  ONE_BYTE,
  RANDOM;

  /** Feeds {@code body} to {@code meter} cut this way; RANDOM uses a fixed seed per call. */
  void feed(UsageMeter meter, byte[] body, long seed) {
    switch (this) {
      case WHOLE -> meter.onBytes(body, 0, body.length);
      case ONE_BYTE -> {
        for (int i = 0; i < body.length; i++) {
          meter.onBytes(body, i, 1);
        }
      }
      case RANDOM -> {
        Random random = new Random(seed);
        int i = 0;
        while (i < body.length) {
          int n = Math.min(body.length - i, 1 + random.nextInt(97));
          // copy, so a meter that kept a reference to a caller's array would be caught
          byte[] chunk = new byte[n];
          System.arraycopy(body, i, chunk, 0, n);
          meter.onBytes(chunk, 0, n);
          java.util.Arrays.fill(chunk, (byte) 'x');
          i += n;
        }
      }
    }
  }
}
