package dev.fulcrum.bench;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** An admin push's CPU cost before the swap, warm: decode, validate and stamp a 3-backend body. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PushDecodeBenchmark {
  private byte[] body;

  @Setup
  public void checkBody() {
    body = PushWork.BODY.clone();
    // A body the proxy would refuse measures the error path: fail the run instead.
    if (!PushWork.decodeValidateStamp(body).version().startsWith("sha256:")) {
      throw new IllegalStateException("the push body was not stamped");
    }
  }

  @Benchmark
  public LoadBalancerConfig decodeValidateStamp() {
    return PushWork.decodeValidateStamp(body);
  }
}
