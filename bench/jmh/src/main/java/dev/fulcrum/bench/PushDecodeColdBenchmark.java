package dev.fulcrum.bench;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same push work cold, one call per fresh JVM: the admin path runs rarely, so its first calls
 * are interpreted and may still build Jackson's deserializers.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(10)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class PushDecodeColdBenchmark {
  /** Nothing of the push path has run: includes loading Jackson and building the deserializers. */
  @State(Scope.Benchmark)
  public static class Fresh {
    final byte[] body = PushWork.BODY.clone();
  }

  /** One push already handled (classes loaded, deserializers cached), its code not yet compiled. */
  @State(Scope.Benchmark)
  public static class Primed {
    byte[] body;

    @Setup
    public void firstPush() {
      body = PushWork.BODY.clone();
      PushWork.decodeValidateStamp(body);
    }
  }

  @Benchmark
  public LoadBalancerConfig firstPush(Fresh s) {
    return PushWork.decodeValidateStamp(s.body);
  }

  @Benchmark
  public LoadBalancerConfig secondPush(Primed s) {
    return PushWork.decodeValidateStamp(s.body);
  }
}
