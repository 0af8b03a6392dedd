/**
 * Jazzer fuzz tests ({@code @FuzzTest}, jazzer-junit) for the parsers that read untrusted or
 * operator-written input: the usage meter, the SSE splitter, the allow-list CSV loader and the
 * configuration loader. Each checks properties (same result however the input is cut, only the
 * documented exception, no key or stack trace in a message), not just the absence of a crash.
 *
 * <p>In a normal build ({@code mvn verify}) each fuzz test only replays its seed corpus, the files
 * under {@code src/test/resources/ai/numio/lmgate/fuzz/<TestClass>Inputs/<method>/}, in a few
 * seconds. The {@code fuzz} profile of {@code lmgate-core} fuzzes for real (it sets {@code
 * JAZZER_FUZZ=1}); Jazzer fuzzes one test per run:
 *
 * <pre>
 * mvn -Pfuzz -pl lmgate-core test -Dtest=UsageMeterFuzzTest
 * mvn -Pfuzz -pl lmgate-core test -Dtest=SseReaderFuzzTest -Dfuzz.seconds=600
 * </pre>
 *
 * <p>{@code fuzz.seconds} (default 120) bounds the run. Inputs that grow coverage are kept in
 * {@code lmgate-core/.cifuzz-corpus/} (not committed); a failing input is written next to the seeds
 * as {@code crash-<sha1>} and then replays in every build: minimize it, keep it as a seed once the
 * bug is fixed, or delete it. The seeds of each test are laid out as its class comment describes,
 * so new ones can be written by hand.
 */
package ai.numio.lmgate.fuzz;
