package ai.numio.lmgate.policy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.auth.AllowListEntry;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The policy file reloads like the allow-list ({@code ReloadingAllowListTest}). */
class PolicyFileTest {

  private static final String V1 = "keys:\n  '1': { rpm: 10 }\n";
  private static final String V2 = "keys:\n  '1': { rpm: 20 }\n  '2': { rpm: 5 }\n";
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T1 = T0.plusSeconds(60);
  private static final AllowListEntry ONE = new AllowListEntry("1", "o", "");

  @TempDir Path dir;
  private Path file;
  private final ManualTimeSource time = new ManualTimeSource(T0.plus(Duration.ofDays(1)));
  private final Logger logger = (Logger) LoggerFactory.getLogger(PolicyFile.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void setUp() throws IOException {
    file = dir.resolve("policy.yaml");
    write(file, V1, T0);
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
  }

  private static void write(Path target, String content, Instant modified) throws IOException {
    Files.write(target, content.getBytes(UTF_8));
    Files.setLastModifiedTime(target, FileTime.from(modified));
  }

  private PolicyFile open(Path path) {
    PolicyFile policies = PolicyFile.open(path, time, Set.of("openai"));
    logs.list.clear();
    return policies;
  }

  private static long rpm(Policies policies) {
    return ((ai.numio.lmgate.limit.Limit.Rate) policies.forCaller(ONE).limits().get(0)).perMinute();
  }

  private List<String> errors() {
    return logs.list.stream()
        .filter(e -> e.getLevel().toString().equals("ERROR"))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void anInvalidFileFailsTheStart() throws IOException {
    write(file, "keys:\n  '1': { rpm: -1 }\n", T0);
    assertThatThrownBy(() -> PolicyFile.open(file, time, Set.of()))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining(file + " line 2");
    assertThatThrownBy(() -> PolicyFile.open(dir.resolve("none.yaml"), time, Set.of()))
        .hasMessageContaining("file not found");
  }

  @Test
  void aChangeIsReloadedAndACorruptEditKeepsThePoliciesWithOneError() throws Exception {
    PolicyFile policies = open(file);
    assertThat(rpm(policies.get())).isEqualTo(10);
    write(file, V2, T1);
    assertThat(policies.reloadIfChanged()).isTrue();
    assertThat(rpm(policies.get())).isEqualTo(20);
    Policies good = policies.get();
    write(file, "keys:\n  '1': { rpm: 20, tpm: zero }\n", T1.plusSeconds(60));
    assertThat(policies.reloadIfChanged()).isFalse();
    assertThat(policies.reloadIfChanged()).isFalse();
    assertThat(policies.get()).isSameAs(good);
    assertThat(errors())
        .singleElement()
        .asString()
        .contains("keeping the previous policies")
        .contains(file + " line 2: keys: \"1\": tpm: expected a whole number");
  }

  @Test
  void aFileWrittenInPiecesIsReadOnceSettled() throws Exception {
    time.setWallClock(T1.plusMillis(100));
    PolicyFile policies = open(file);
    Policies loaded = policies.get();
    write(file, V2.substring(0, V2.indexOf("rpm: 20") + 5), T1);
    assertThat(policies.reloadIfChanged()).isFalse();
    assertThat(policies.get()).isSameAs(loaded);
    write(file, V2, T1.plusMillis(900));
    time.setWallClock(T1.plusMillis(2900));
    assertThat(policies.reloadIfChanged()).isTrue();
    assertThat(rpm(policies.get())).isEqualTo(20);
    assertThat(errors()).isEmpty();
  }

  @Test
  void aDeletedFileKeepsThePolicies() throws Exception {
    PolicyFile policies = open(file);
    Policies loaded = policies.get();
    Files.delete(file);
    assertThat(policies.reloadIfChanged()).isFalse();
    assertThat(policies.get()).isSameAs(loaded);
    assertThat(errors()).singleElement().asString().contains("file not found");
  }

  @Test
  void anAtomicRenameIsSeen() throws Exception {
    PolicyFile policies = open(file);
    Path staged = dir.resolve(".policy.yaml.tmp");
    write(staged, V1.replace("10", "11"), T0);
    Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    assertThat(policies.reloadIfChanged()).isTrue();
    assertThat(rpm(policies.get())).isEqualTo(11);
  }

  @Test
  void aConfigMapSymlinkSwapIsSeen() throws Exception {
    Path mount = Files.createDirectory(dir.resolve("config"));
    Path first = Files.createDirectory(mount.resolve("..2026_03_01_10_00_00.1"));
    write(first.resolve("policy.yaml"), V1, T0);
    Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
    Path link =
        Files.createSymbolicLink(
            mount.resolve("policy.yaml"), Path.of("..data").resolve("policy.yaml"));
    PolicyFile policies = open(link);
    Path second = Files.createDirectory(mount.resolve("..2026_03_01_10_05_00.2"));
    write(second.resolve("policy.yaml"), V1.replace("10", "12"), T0);
    Path newData = Files.createSymbolicLink(mount.resolve("..data_tmp"), second.getFileName());
    Files.move(newData, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.delete(first.resolve("policy.yaml"));
    Files.delete(first);
    assertThat(policies.reloadIfChanged()).isTrue();
    assertThat(rpm(policies.get())).isEqualTo(12);
  }

  @Test
  void aRouteNoneHasIsAWarning() throws Exception {
    write(file, "owners:\n  o: { routes: [openai, opneai] }\n", T0);
    Logger loader = (Logger) LoggerFactory.getLogger(PolicyLoader.class);
    loader.addAppender(logs);
    try {
      PolicyFile.open(file, time, Set.of("openai"));
    } finally {
      loader.detachAppender(logs);
    }
    assertThat(logs.list)
        .anySatisfy(
            e -> {
              assertThat(e.getLevel().toString()).isEqualTo("WARN");
              assertThat(e.getFormattedMessage())
                  .contains(file + " line 2")
                  .contains("no route is named \"opneai\"");
            });
  }
}
